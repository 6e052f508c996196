/**
 * WhatsApp Web framing: every frame is a 3-byte big-endian length and a body. The client's very
 * first bytes are an intro, optionally `ED 00 01 <len:3> <routingInfo>` and then the 4-byte
 * Noise header `WA 06 03`; the server sends no intro.
 */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);
  private introDone = false;
  /** The 4-byte `WA..` header once the intro has been read (the Noise prologue). */
  header?: Buffer;
  routingInfo?: Buffer;

  push(data: Uint8Array): Buffer[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, data]) : Buffer.from(data);
    if (!this.introDone && !this.readIntro()) return [];
    const frames: Buffer[] = [];
    while (this.buffer.length >= 3) {
      const size = (this.buffer[0]! << 16) | (this.buffer[1]! << 8) | this.buffer[2]!;
      if (this.buffer.length < size + 3) break;
      frames.push(this.buffer.subarray(3, size + 3));
      this.buffer = this.buffer.subarray(size + 3);
    }
    return frames;
  }

  private readIntro(): boolean {
    let offset = 0;
    if (this.buffer[0] === 0x45 && this.buffer[1] === 0x44) {
      if (this.buffer.length < 7) return false;
      const len = (this.buffer[4]! << 16) | this.buffer.readUInt16BE(5);
      if (this.buffer.length < 7 + len) return false;
      this.routingInfo = Buffer.from(this.buffer.subarray(7, 7 + len));
      offset = 7 + len;
    }
    if (this.buffer.length < offset + 4) return false;
    const header = this.buffer.subarray(offset, offset + 4);
    if (header[0] !== 0x57 || header[1] !== 0x41) throw new Error('bad WhatsApp intro header');
    this.header = Buffer.from(header);
    this.buffer = this.buffer.subarray(offset + 4);
    this.introDone = true;
    return true;
  }
}

export function encodeFrame(body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(body.length + 3);
  out[0] = (body.length >>> 16) & 0xff;
  out[1] = (body.length >>> 8) & 0xff;
  out[2] = body.length & 0xff;
  out.set(body, 3);
  return out;
}

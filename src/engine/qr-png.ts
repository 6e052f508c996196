import { crc32, deflateSync } from 'node:zlib';
import QRCode from 'qrcode';

export interface QrPngOptions {
  /** Pixels per module (default 4). */
  scale?: number;
  /** Quiet zone in modules (default 4). */
  margin?: number;
}

/**
 * Renders a QR code as a `data:image/png;base64,...` URL, synchronously: a 1-bit grayscale PNG
 * written by hand (IHDR, one IDAT through zlib.deflateSync, IEND). `qrcode`'s own PNG path
 * goes through pngjs' async streams and the libuv pool, which made a QR take up to a second on
 * a busy process; this takes well under a millisecond of CPU.
 */
export function renderQrPng(text: string, options: QrPngOptions = {}): string {
  const scale = options.scale ?? 4;
  const margin = options.margin ?? 4;
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  const width = (size + 2 * margin) * scale;
  const rowBytes = Math.ceil(width / 8);
  const raw = Buffer.alloc((rowBytes + 1) * width, 0xff); // white; filter byte 0 set below
  for (let y = 0; y < width; y++) {
    const rowStart = y * (rowBytes + 1);
    raw[rowStart] = 0; // filter: none
    const my = Math.floor(y / scale) - margin;
    if (my < 0 || my >= size) continue;
    for (let x = 0; x < width; x++) {
      const mx = Math.floor(x / scale) - margin;
      if (mx < 0 || mx >= size || !modules.get(my, mx)) continue;
      const i = rowStart + 1 + (x >> 3);
      raw[i] = raw[i]! & ~(0x80 >> (x & 7)); // dark module: bit 0
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(width, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // grayscale
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  return `data:image/png;base64,${png.toString('base64')}`;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

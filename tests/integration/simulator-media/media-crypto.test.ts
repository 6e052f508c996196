import { createHash, randomBytes } from 'node:crypto';
import {
  downloadContentFromMessage,
  downloadMediaMessage,
  prepareWAMessageMedia,
  proto,
  type AnyMediaMessageContent,
} from '@whiskeysockets/baileys';
import { pino } from 'pino';
import sharp from 'sharp';
import { MediaIntegrityError } from '../../../src/simulator/media/media-cipher.js';
import {
  buildContactMediaMessage,
  decryptMediaMessage,
  outgoingMediaFromInput,
  contactMediaSchema,
  type OutgoingMedia,
} from '../../../src/simulator/media/media-crypto.js';
import type { MediaServer } from '../../../src/simulator/media/media-server.js';
import { baileysUploader, startTestMediaServer } from './media-fixtures.js';

const sha256Hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');
/** What travels inside a Signal message: the proto encoding, decoded again on the other side. */
const overTheWire = (message: proto.IMessage) => proto.Message.decode(proto.Message.encode(message).finish());

describe('media between a device and a contact', () => {
  let server: MediaServer;
  let jpeg: Buffer;
  beforeAll(async () => {
    server = await startTestMediaServer();
    jpeg = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 30, b: 90 } } })
      .jpeg()
      .toBuffer();
  });
  afterAll(async () => {
    await server.close();
  });

  /** The device's side of sending media, as Baileys' sendMessage does it (encrypt, upload to media_conn's host). */
  const deviceSends = async (content: AnyMediaMessageContent) =>
    overTheWire(
      await prepareWAMessageMedia(content, { upload: baileysUploader(server), logger: pino({ level: 'silent' }) }),
    );

  describe('a contact decrypts what the device uploaded', () => {
    it('an image with a caption, byte for byte', async () => {
      const message = await deviceSends({ image: jpeg, caption: 'look at this' });

      const received = await decryptMediaMessage(message, server);

      expect(received.data.equals(jpeg)).toBe(true);
      expect(received).toMatchObject({
        type: 'image',
        mimetype: 'image/jpeg',
        caption: 'look at this',
        sha256: sha256Hex(jpeg),
        size: jpeg.length,
      });
    });

    it('a document with a file name and caption', async () => {
      const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(70_000)]);

      const message = await deviceSends({
        document: pdf,
        mimetype: 'application/pdf',
        fileName: 'invoice.pdf',
        caption: 'the invoice',
      });
      const received = await decryptMediaMessage(message, server);

      expect(received).toMatchObject({
        type: 'document',
        mimetype: 'application/pdf',
        fileName: 'invoice.pdf',
        caption: 'the invoice',
        sha256: sha256Hex(pdf),
        size: pdf.length,
      });
      expect(received.data.equals(pdf)).toBe(true);
    });

    it('a voice note, seen through the deviceSentMessage copy to the own phone', async () => {
      const ogg = Buffer.concat([Buffer.from('OggS'), randomBytes(3000)]);
      const message = await deviceSends({
        audio: ogg,
        ptt: true,
        seconds: 3,
        waveform: new Uint8Array(64),
        mimetype: 'audio/ogg; codecs=opus',
      } as AnyMediaMessageContent);

      const received = await decryptMediaMessage(
        { deviceSentMessage: { destinationJid: '5511999990001@s.whatsapp.net', message } },
        server,
      );

      expect(received).toMatchObject({ type: 'voice', mimetype: 'audio/ogg; codecs=opus', sha256: sha256Hex(ogg) });
    });

    it('refuses a blob that was altered on the server', async () => {
      const message = await deviceSends({ document: randomBytes(500), fileName: 'a.bin', mimetype: 'application/octet-stream' });
      const blob = server.getUpload(message.documentMessage!.directPath!)!;
      blob.data[3]! ^= 0xff;

      await expect(decryptMediaMessage(message, server)).rejects.toBeInstanceOf(MediaIntegrityError);
    });

    it('refuses a media key that does not belong to the blob', async () => {
      const message = await deviceSends({ image: jpeg });
      message.imageMessage!.mediaKey = randomBytes(32);

      await expect(decryptMediaMessage(message, server)).rejects.toThrow('media mac mismatch');
    });
  });

  describe('Baileys decrypts what a contact sends', () => {
    const cases: Array<[string, OutgoingMedia, string, Record<string, unknown>]> = [
      [
        'an image with a caption',
        { type: 'image', data: Buffer.alloc(0), caption: 'from the contact', width: 40, height: 30 },
        'imageMessage',
        { caption: 'from the contact', mimetype: 'image/jpeg', width: 40, height: 30 },
      ],
      [
        'a video',
        { type: 'video', data: randomBytes(50_001), mimetype: 'video/mp4', caption: 'clip', seconds: 4 },
        'videoMessage',
        { caption: 'clip', mimetype: 'video/mp4', seconds: 4 },
      ],
      [
        'a voice note',
        { type: 'voice', data: randomBytes(4_000), seconds: 2 },
        'audioMessage',
        { ptt: true, mimetype: 'audio/ogg; codecs=opus', seconds: 2 },
      ],
      [
        'an audio file',
        { type: 'audio', data: randomBytes(4_000), mimetype: 'audio/mpeg' },
        'audioMessage',
        { ptt: false, mimetype: 'audio/mpeg' },
      ],
      [
        'a document with file name and caption',
        { type: 'document', data: randomBytes(123_457), mimetype: 'application/zip', fileName: 'x.zip', caption: 'zip' },
        'documentMessage',
        { fileName: 'x.zip', caption: 'zip', mimetype: 'application/zip' },
      ],
    ];

    it.each(cases)('%s, byte for byte with downloadMediaMessage', async (_name, media, key, fields) => {
      const input = media.type === 'image' ? { ...media, data: jpeg } : media;

      const message = overTheWire(await buildContactMediaMessage(input, server));
      const content = (message as unknown as Record<string, proto.Message.IImageMessage>)[key]!;
      const downloaded = await downloadMediaMessage(
        { key: { remoteJid: '5511999990001@s.whatsapp.net', id: 'X', fromMe: false }, message },
        'buffer',
        {},
      );

      expect(downloaded.equals(input.data)).toBe(true);
      expect(content).toMatchObject(fields);
      expect(Number(content.fileLength)).toBe(input.data.length);
      expect(Buffer.from(content.fileSha256!).toString('hex')).toBe(sha256Hex(input.data));
      expect(Number(content.mediaKeyTimestamp)).toBeGreaterThan(1_600_000_000);
      expect(content.url).toBe(`${server.origin}${content.directPath}&mms3=true`);
    });

    it('with downloadContentFromMessage, given the direct path and key alone', async () => {
      const data = randomBytes(777);
      const { documentMessage } = overTheWire(
        await buildContactMediaMessage(outgoingMediaFromInput({ type: 'document', dataBase64: data.toString('base64') }), server),
      );

      const stream = await downloadContentFromMessage(
        { mediaKey: documentMessage!.mediaKey, directPath: documentMessage!.directPath, url: documentMessage!.url },
        'document',
      );
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);

      expect(Buffer.concat(chunks).equals(data)).toBe(true);
      expect(documentMessage!.fileName).toBe('file');
    });

    it('and a contact can read back its own message the same way the device would', async () => {
      const data = randomBytes(2048);

      const message = await buildContactMediaMessage({ type: 'document', data, fileName: 'r.bin' }, server);

      expect((await decryptMediaMessage(overTheWire(message), server)).data.equals(data)).toBe(true);
    });
  });

  it('validates the control API media input', () => {
    expect(contactMediaSchema.safeParse({ type: 'image', dataBase64: 'AAAA' }).success).toBe(true);
    expect(contactMediaSchema.safeParse({ type: 'gif', dataBase64: 'AAAA' }).success).toBe(false);
    expect(contactMediaSchema.safeParse({ type: 'document' }).success).toBe(false);
  });
});

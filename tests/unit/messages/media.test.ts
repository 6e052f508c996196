import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UnsafeUrlError } from '../../../src/net/net-errors.js';
import { fetchMedia, isPermanentMediaError, MediaFetchError } from '../../../src/services/messages/media-fetcher.js';
import {
  assertMediaSize,
  MediaTooLargeError,
  MediaTypeNotAllowedError,
  mediaLimitsSchema,
  resolveMediaMimetype,
  sniffMimeType,
} from '../../../src/services/messages/media-rules.js';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3, 4]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46]);

describe('media rules', () => {
  it('defaults to WhatsApp-like limits', () => {
    expect(mediaLimitsSchema.parse({})).toEqual({ image: 16 * 1024 * 1024, video: 16 * 1024 * 1024, audio: 16 * 1024 * 1024, document: 100 * 1024 * 1024 });
    const limits = mediaLimitsSchema.parse({ image: 10 });
    expect(() => assertMediaSize('image', 11, limits)).toThrow(MediaTooLargeError);
    expect(() => assertMediaSize('image', 10, limits)).not.toThrow();
  });

  it('sniffs common files', () => {
    expect(sniffMimeType(PNG)).toBe('image/png');
    expect(sniffMimeType(JPEG)).toBe('image/jpeg');
    expect(sniffMimeType(Buffer.from('OggS\0\x02'))).toBe('audio/ogg');
    expect(sniffMimeType(Buffer.from('ID3\x04'))).toBe('audio/mpeg');
    expect(sniffMimeType(Buffer.from('\0\0\0\x18ftypmp42'))).toBe('video/mp4');
    expect(sniffMimeType(Buffer.from('%PDF-1.7'))).toBe('application/pdf');
    expect(sniffMimeType(Buffer.from('hello'))).toBeNull();
  });

  it.each([
    ['image', 'image/png; charset=binary', undefined, undefined, 'image/png'],
    ['image', 'application/octet-stream', 'image/jpeg', undefined, 'image/jpeg'],
    ['image', 'application/octet-stream', undefined, PNG, 'image/png'],
    ['image', null, undefined, JPEG, 'image/jpeg'],
    ['audio', 'audio/ogg', undefined, undefined, 'audio/ogg'],
    ['video', 'video/mp4', undefined, undefined, 'video/mp4'],
    ['document', 'application/pdf', undefined, undefined, 'application/pdf'],
    ['document', null, undefined, Buffer.from('plain'), 'application/octet-stream'],
  ] as const)('%s with %s → %s', (mediaType, contentType, declared, head, expected) => {
    expect(resolveMediaMimetype({ mediaType, contentType, declaredMimetype: declared, head })).toBe(expected);
  });

  it.each([
    ['image', 'text/html'],
    ['image', 'image/svg+xml'],
    ['video', 'image/png'],
    ['audio', 'video/mp4'],
    ['image', null],
  ] as const)('refuses %s sent as %s', (mediaType, contentType) => {
    expect(() => resolveMediaMimetype({ mediaType, contentType })).toThrow(MediaTypeNotAllowedError);
  });
});

describe('fetchMedia', () => {
  const server = http.createServer((req, res) => {
    if (req.url === '/cat.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    if (req.url === '/blob') return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(JPEG);
    if (req.url === '/page') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
    if (req.url === '/huge') return res.writeHead(200, { 'content-type': 'image/png', 'content-length': '5000' }).end(Buffer.alloc(5000));
    if (req.url === '/redirect') return res.writeHead(302, { location: '/cat.png' }).end();
    if (req.url === '/down') return res.writeHead(503).end();
    res.writeHead(404).end();
  });
  let base = '';
  const limits = mediaLimitsSchema.parse({ image: 1000 });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('downloads a media file with its type', async () => {
    const media = await fetchMedia({ url: `${base}/cat.png`, mediaType: 'image', limits, allowPrivate: true });
    expect(media).toEqual({ data: PNG, mimetype: 'image/png', sizeBytes: PNG.length });
    const blob = await fetchMedia({ url: `${base}/blob`, mediaType: 'image', limits, allowPrivate: true });
    expect(blob.mimetype).toBe('image/jpeg');
  });

  it('refuses what cannot be sent, permanently', async () => {
    const errors = await Promise.all(
      [
        fetchMedia({ url: `${base}/page`, mediaType: 'image', limits, allowPrivate: true }),
        fetchMedia({ url: `${base}/huge`, mediaType: 'image', limits, allowPrivate: true }),
        fetchMedia({ url: `${base}/cat.png`, mediaType: 'image', limits }),
        fetchMedia({ url: `${base}/redirect`, mediaType: 'image', limits, allowPrivate: true }),
        fetchMedia({ url: `${base}/missing`, mediaType: 'image', limits, allowPrivate: true }),
      ].map((p) => p.catch((e: unknown) => e)),
    );
    expect(errors[0]).toBeInstanceOf(MediaTypeNotAllowedError);
    expect(errors[1]).toBeInstanceOf(MediaTooLargeError);
    expect(errors[1]).toMatchObject({ limitBytes: 1000, sizeBytes: 5000 });
    expect(errors[2]).toBeInstanceOf(UnsafeUrlError);
    expect(errors[3]).toMatchObject({ statusCode: 302, permanent: true });
    expect(errors[4]).toMatchObject({ statusCode: 404, permanent: true });
    for (const err of errors) expect(isPermanentMediaError(err)).toBe(true);
  });

  it('treats server errors and timeouts as worth a retry', async () => {
    const down = await fetchMedia({ url: `${base}/down`, mediaType: 'image', limits, allowPrivate: true }).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(MediaFetchError);
    expect(isPermanentMediaError(down)).toBe(false);
    const refused = await fetchMedia({ url: 'http://127.0.0.1:1/x.png', mediaType: 'image', limits, allowPrivate: true }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'media_fetch_failed', permanent: false });
  });
});

import { createHash, randomBytes } from 'node:crypto';
import { writeFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MediaServer } from '../../../src/simulator/media/media-server.js';
import { baileysUploader, startTestMediaServer } from './media-fixtures.js';

describe('MediaServer', () => {
  let server: MediaServer;
  let dir: string;
  beforeAll(async () => {
    server = await startTestMediaServer();
    dir = await mkdtemp(join(tmpdir(), 'zap-media-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const fileWith = async (bytes: Buffer): Promise<string> => {
    const file = join(dir, randomBytes(6).toString('hex'));
    await writeFile(file, bytes);
    return file;
  };
  const uploadUrl = (type: string, body: Buffer, auth = server.mediaConnInfo().auth) => {
    const token = createHash('sha256').update(body).digest('base64url');
    return `${server.origin}/mms/${type}/${token}?auth=${encodeURIComponent(auth)}&token=${token}`;
  };

  it('answers media_conn with its own host and port', () => {
    const info = server.mediaConnInfo();

    expect(info.hosts).toEqual([{ hostname: `127.0.0.1:${server.port}`, maxContentLengthBytes: expect.any(Number) }]);
    expect(info.auth.length).toBeGreaterThan(16);
    expect(info.ttl).toBeGreaterThan(0);
  });

  it("accepts Baileys' upload and serves the bytes back at the direct path it answered", async () => {
    const body = randomBytes(1000);
    const encSha256 = createHash('sha256').update(body).digest('base64');

    const result = await baileysUploader(server)(await fileWith(body), {
      mediaType: 'image',
      fileEncSha256B64: encSha256,
      timeoutMs: 5_000,
    });

    expect(result.directPath).toMatch(/^\/v\/t62\.7118-24\/[0-9a-f]+\.enc\?/);
    expect(result.mediaUrl).toBe(`${server.origin}${result.directPath}&mms3=true`);
    expect(server.getUpload(result.directPath)).toMatchObject({ pathType: 'image', encSha256B64: encSha256 });
    expect(server.getUpload(result.mediaUrl)?.data.equals(body)).toBe(true);
    const response = await fetch(`${server.origin}${result.directPath}`);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(body)).toBe(true);
  });

  it('refuses an upload with the wrong auth', async () => {
    const body = randomBytes(64);

    const response = await fetch(uploadUrl('image', body, 'not-the-auth'), { method: 'POST', body });

    expect(response.status).toBe(401);
  });

  it('refuses an upload whose bytes do not match the hash in the path', async () => {
    const body = randomBytes(64);

    const response = await fetch(uploadUrl('document', randomBytes(64)), { method: 'POST', body });

    expect(response.status).toBe(400);
  });

  it('answers uploads with JSON url and direct_path', async () => {
    const body = randomBytes(64);

    const response = await fetch(uploadUrl('md-app-state', body), { method: 'POST', body });
    const json = (await response.json()) as { url: string; direct_path: string };

    expect(response.status).toBe(200);
    expect(json.url).toBe(`${server.origin}${json.direct_path}&mms3=true`);
    expect(server.getUpload(json.direct_path)?.pathType).toBe('md-app-state');
  });

  it('serves byte ranges and 404s unknown paths', async () => {
    const blob = server.storeBlob('video', Buffer.from('0123456789abcdef'));

    const ranged = await fetch(`${server.origin}${blob.directPath}`, { headers: { Range: 'bytes=4-7' } });
    const missing = await fetch(`${server.origin}/v/t62.7118-24/nothing.enc`);

    expect(ranged.status).toBe(206);
    expect(await ranged.text()).toBe('4567');
    expect(missing.status).toBe(404);
    expect(server.getUpload('/v/t62.7118-24/nothing.enc')).toBeUndefined();
  });

  it('closes idempotently', async () => {
    const other = await startTestMediaServer();
    const port = other.port;

    await Promise.all([other.close(), other.close()]);
    await other.close();

    await expect(fetch(`https://127.0.0.1:${port}/`)).rejects.toThrow();
  });
});

import { jest } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { startEngineApp, type EngineApp } from '../support/engine-app.js';
import { api, eventually, messagingEnv, newContact, startPaired, waitForStatus, type PairedTenant } from '../support/messaging.js';

jest.setTimeout(120_000);

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), randomBytes(3000)]);
const OGG = Buffer.concat([Buffer.from('OggS'), randomBytes(2000)]);
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(4000)]);

let t: PairedTenant;
let server: Server;
let mediaBase: string;
const files: Record<string, { type: string; body: Buffer }> = {
  '/pixel.png': { type: 'image/png', body: PNG },
  '/clip.mp4': { type: 'video/mp4', body: MP4 },
  '/big.png': { type: 'image/png', body: Buffer.concat([PNG, randomBytes(5000)]) },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mediaBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t = await startPaired({ env: { MEDIA_MAX_IMAGE_BYTES: '4096' } });
});
afterAll(async () => {
  await t?.e.close();
  await new Promise((r) => server?.close(r));
});

const base = () => `/whatsapp/instances/${t.instanceId}`;

async function inboxItem(contact: string, count: number) {
  return eventually(async () => {
    const items = await t.e.control.inbox(contact);
    if (items.length < count) throw new Error(`inbox has ${items.length}`);
    return items[count - 1]!;
  }, 30_000, 200);
}

describe('messaging e2e: media out (API → contact), byte for byte', () => {
  it('image by URL with caption', async () => {
    const contact = await newContact(t.e, 'Img');
    const res = await api(t.e.app, t.cookie).post(`${base()}/send-media`, {
      to: contact,
      mediaUrl: `${mediaBase}/pixel.png`,
      mediaType: 'image',
      caption: 'Legenda opcional',
    });
    expect(res.status).toBe(202);
    await waitForStatus(t.e.app, t.cookie, t.instanceId, res.body.data.messageId, ['sent', 'delivered', 'read']);
    expect(await inboxItem(contact, 1)).toMatchObject({ type: 'image', caption: 'Legenda opcional', mimetype: 'image/png', sha256: sha256(PNG) });
  });

  it('video by URL', async () => {
    const contact = await newContact(t.e, 'Vid');
    const res = await api(t.e.app, t.cookie).post(`${base()}/send-media`, { to: contact, mediaUrl: `${mediaBase}/clip.mp4`, mediaType: 'video', caption: 'a clip' });
    expect(res.status).toBe(202);
    expect(await inboxItem(contact, 1)).toMatchObject({ type: 'video', caption: 'a clip', mimetype: 'video/mp4', sha256: sha256(MP4) });
  });

  it('voice note (multipart upload, ptt) and document with file name', async () => {
    const contact = await newContact(t.e, 'Doc');
    const voice = await request(t.e.app)
      .post(`${base()}/send-media`)
      .set('Cookie', t.cookie)
      .field('to', contact)
      .field('mediaType', 'audio')
      .field('ptt', 'true')
      .attach('file', OGG, { filename: 'voice.ogg', contentType: 'audio/ogg' });
    expect(voice.status).toBe(202);
    const doc = await request(t.e.app)
      .post(`${base()}/send-media`)
      .set('Cookie', t.cookie)
      .field('to', contact)
      .field('mediaType', 'document')
      .field('caption', 'the report')
      .field('fileName', 'report.pdf')
      .attach('file', PDF, { filename: 'upload.bin', contentType: 'application/pdf' });
    expect(doc.status).toBe(202);
    expect(await inboxItem(contact, 1)).toMatchObject({ type: 'audio', ptt: true, sha256: sha256(OGG) });
    expect(await inboxItem(contact, 2)).toMatchObject({ type: 'document', fileName: 'report.pdf', caption: 'the report', mimetype: 'application/pdf', sha256: sha256(PDF) });
    // the upload is kept and served for our own message too
    const media = await request(t.e.app).get(`${base()}/messages/${doc.body.data.messageId}/media`).set('Cookie', t.cookie).buffer(true);
    expect(media.status).toBe(200);
    expect(sha256(media.body as Buffer)).toBe(sha256(PDF));
  });

  it('a reply quoting an inbound message, with a mention', async () => {
    const contact = await newContact(t.e, 'Quoter');
    const { id } = await t.e.control.sendFromContact(contact, { to: t.phone, text: 'question?' });
    const stored = await eventually(async () => {
      const res = await api(t.e.app, t.cookie).get(`${base()}/messages/${id}`);
      if (res.status !== 200) throw new Error(String(res.status));
      return res.body.data;
    });
    const res = await api(t.e.app, t.cookie).post(`${base()}/send-text`, {
      to: contact,
      message: `answer @${contact}`,
      quotedMessageId: stored.id,
      mentions: [contact],
    });
    expect(res.status).toBe(202);
    expect(await inboxItem(contact, 1)).toMatchObject({ type: 'text', text: `answer @${contact}`, quotedId: id });
    const mine = await api(t.e.app, t.cookie).get(`${base()}/messages/${res.body.data.messageId}`);
    expect(mine.body.data).toMatchObject({ quotedWaMessageId: id, mentions: [`${contact}@s.whatsapp.net`] });
  });
});

describe('messaging e2e: media in (contact → API), stored and served byte for byte', () => {
  const cases = [
    { type: 'image' as const, mimetype: 'image/png', data: PNG, caption: 'in pixel' },
    { type: 'video' as const, mimetype: 'video/mp4', data: MP4, caption: 'in clip' },
    { type: 'voice' as const, mimetype: 'audio/ogg; codecs=opus', data: OGG },
    { type: 'document' as const, mimetype: 'application/pdf', data: PDF, fileName: 'in.pdf' },
  ];
  it.each(cases)('$type', async (c) => {
    const contact = await newContact(t.e, `In ${c.type}`);
    const { id } = await t.e.control.sendFromContact(contact, {
      to: t.phone,
      media: { type: c.type, mimetype: c.mimetype, dataBase64: c.data.toString('base64'), ...(c.caption ? { caption: c.caption } : {}), ...(c.fileName ? { fileName: c.fileName } : {}) },
    });
    const message = await eventually(async () => {
      const res = await api(t.e.app, t.cookie).get(`${base()}/messages/${id}`);
      if (res.status !== 200 || res.body.data.media?.status !== 'stored') throw new Error(JSON.stringify(res.body));
      return res.body.data;
    }, 30_000, 200);
    expect(message).toMatchObject({ fromMe: false, type: c.type === 'voice' ? 'audio' : c.type, media: { sha256: sha256(c.data), size: c.data.length } });
    if (c.caption) expect(message.caption).toBe(c.caption);
    if (c.type === 'voice') expect(message.media.ptt).toBe(true);
    const media = await request(t.e.app).get(`${base()}/messages/${id}/media`).set('Cookie', t.cookie).buffer(true);
    expect(media.status).toBe(200);
    expect(media.headers['content-type']).toContain(c.mimetype.split(';')[0]);
    expect(sha256(media.body as Buffer)).toBe(sha256(c.data));
  });

  it('a text message has no media: 404', async () => {
    const contact = await newContact(t.e, 'NoMedia');
    const { id } = await t.e.control.sendFromContact(contact, { to: t.phone, text: 'just text' });
    await eventually(async () => {
      const res = await api(t.e.app, t.cookie).get(`${base()}/messages/${id}`);
      if (res.status !== 200) throw new Error(String(res.status));
    });
    const res = await api(t.e.app, t.cookie).get(`${base()}/messages/${id}/media`);
    expect(res.status).toBe(404);
  });
});

describe('messaging e2e: media refused', () => {
  it('an upload over the type limit gets 413, a wrong type 415', async () => {
    const big = await request(t.e.app)
      .post(`${base()}/send-media`)
      .set('Cookie', t.cookie)
      .field('to', '5511999999999')
      .field('mediaType', 'image')
      .attach('file', Buffer.concat([PNG, randomBytes(5000)]), { filename: 'big.png', contentType: 'image/png' });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('MEDIA_TOO_LARGE');
    const wrong = await request(t.e.app)
      .post(`${base()}/send-media`)
      .set('Cookie', t.cookie)
      .field('to', '5511999999999')
      .field('mediaType', 'image')
      .attach('file', Buffer.from('just some text, not an image'), { filename: 'notes.txt', contentType: 'text/plain' });
    expect(wrong.status).toBe(415);
    expect(wrong.body.error.code).toBe('MEDIA_TYPE_NOT_ALLOWED');
  });

  it('a URL over the limit fails the message with media_too_large', async () => {
    const contact = await newContact(t.e, 'BigUrl');
    const res = await api(t.e.app, t.cookie).post(`${base()}/send-media`, { to: contact, mediaUrl: `${mediaBase}/big.png`, mediaType: 'image' });
    expect(res.status).toBe(202);
    const failed = await waitForStatus(t.e.app, t.cookie, t.instanceId, res.body.data.messageId, ['failed']);
    expect(failed.errorCode).toBe('media_too_large');
  });

  it('a private URL is refused when MEDIA_ALLOW_PRIVATE_URLS=false', async () => {
    let strict: EngineApp | null = null;
    try {
      strict = await startEngineApp({ shareWith: t.e, start: false, env: { ...messagingEnv(), MEDIA_ALLOW_PRIVATE_URLS: 'false' } });
      const res = await request(strict.app)
        .post(`${base()}/send-media`)
        .set('Cookie', t.cookie)
        .send({ to: '5511999999999', mediaUrl: `${mediaBase}/pixel.png`, mediaType: 'image' });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('MEDIA_URL_NOT_ALLOWED');
    } finally {
      await strict?.stop();
    }
  });
});

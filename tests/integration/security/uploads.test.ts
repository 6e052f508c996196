import { jest } from '@jest/globals';
import { mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import request from 'supertest';
import { UploadGate } from '../../../src/http/uploads/upload-gate.js';
import { startEngineApp, type EngineApp } from '../../support/engine-app.js';
import { listen } from '../../support/browser.js';
import { createInstance, signup, type SignedUp } from '../../support/factories.js';
import { messagingEnv } from '../../support/messaging.js';
import { zapiClient, zapiInstance, type ZapiClient } from '../zapi/zapi-fixtures.js';

/**
 * Issue 16 item 4: uploads are authorised (tenant, instance) before their body is read, streamed to disk, and
 * capped per tenant and per node; a malformed multipart body is a 400.
 */
jest.setTimeout(120_000);

let e: EngineApp;
let server: Awaited<ReturnType<typeof listen>>;
let owner: SignedUp;
let intruder: SignedUp;
let instanceId: string;
let zapiOwner: ZapiClient;
let zapiUuid: string;
let zapiIntruder: ZapiClient;

beforeAll(async () => {
  e = await startEngineApp({ env: messagingEnv({ UPLOADS_MAX_CONCURRENT_PER_TENANT: '1', UPLOADS_MAX_CONCURRENT_PER_NODE: '3' }) });
  server = await listen(e.app);
  owner = await signup(e.app);
  intruder = await signup(e.app);
  ({ instanceId } = await createInstance(e.app, owner.cookie));
  zapiOwner = await zapiClient(e.app);
  zapiUuid = (await zapiInstance(e.app, zapiOwner)).uuid;
  zapiIntruder = await zapiClient(e.app);
});
afterAll(async () => {
  await server?.close();
  await e?.close();
});

const BOUNDARY = 'zap-test-boundary';
const DECLARED_BYTES = 200 * 1024 * 1024;

function multipartHead(fields: Record<string, string>, fileField: string): Buffer {
  const parts = Object.entries(fields).map(([k, v]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  parts.push(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${fileField}"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n`);
  return Buffer.from(parts.join(''));
}

/**
 * Starts an upload that announces 200 MB and sends only its first 64 KB; resolves with the response if one comes
 * while the body is still unfinished (the request is then destroyed), or with null after `waitMs` without one.
 */
function partialUpload(path: string, headers: Record<string, string>, head: Buffer, waitMs = 5000): { response: Promise<IncomingMessage | null>; req: ClientRequest } {
  const url = new URL(path, server.url);
  const req = httpRequest(url, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': String(DECLARED_BYTES) },
  });
  req.on('error', () => undefined);
  const response = new Promise<IncomingMessage | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), waitMs);
    req.on('response', (res) => {
      clearTimeout(timer);
      res.resume();
      resolve(res);
    });
  });
  req.write(head);
  req.write(Buffer.alloc(64 * 1024, 1));
  return { response, req };
}

describe('an upload to another tenant’s instance', () => {
  it('/whatsapp send-media answers 404 before the body is sent', async () => {
    const { response, req } = partialUpload(
      `/whatsapp/instances/${instanceId}/send-media`,
      { Cookie: intruder.cookie },
      multipartHead({ to: '5511999990000', mediaType: 'document' }, 'file'),
    );
    const res = await response;
    expect(req.writableEnded).toBe(false); // 64 KB of 200 MB sent
    expect(res?.statusCode).toBe(404);
    req.destroy();
  });

  it('/api enviar-midia answers 404 once the instance field has arrived, before the file is read', async () => {
    const { response, req } = partialUpload(
      '/api/mensagens/enviar-midia',
      zapiIntruder.headers,
      multipartHead({ instancia_uuid: zapiUuid, phone: '5511999990000', midia_type: 'document' }, 'document'),
    );
    const res = await response;
    expect(req.writableEnded).toBe(false);
    expect(res?.statusCode).toBe(404);
    req.destroy();
  });

  it('without credentials: 401 before the body is sent', async () => {
    const { response, req } = partialUpload(`/whatsapp/instances/${instanceId}/send-media`, {}, multipartHead({}, 'file'));
    expect((await response)?.statusCode).toBe(401);
    req.destroy();
  });
});

describe('concurrent uploads', () => {
  it('past the per-tenant cap an upload gets 429 at once; the slot frees when the first ends', async () => {
    const slow = partialUpload(
      `/whatsapp/instances/${instanceId}/send-media`,
      { Cookie: owner.cookie },
      multipartHead({ to: '5511999990000', mediaType: 'document' }, 'file'),
      1000,
    );
    expect(await slow.response).toBeNull(); // still uploading
    const second = await request(e.app)
      .post(`/whatsapp/instances/${instanceId}/send-media`)
      .set('Cookie', owner.cookie)
      .field('to', '5511999990000')
      .field('mediaType', 'document')
      .attach('file', Buffer.from('%PDF-1.4\nsmall'), { filename: 'a.pdf', contentType: 'application/pdf' });
    expect(second.status).toBe(429);
    expect(second.body.error.code).toBe('RATE_LIMITED');
    // Another tenant is not affected.
    const other = await zapiOwnerUpload();
    expect(other.status).toBe(200);
    slow.req.destroy();
    const after = await eventuallyStatus(async () =>
      request(e.app)
        .post(`/whatsapp/instances/${instanceId}/send-media`)
        .set('Cookie', owner.cookie)
        .field('to', '5511999990000')
        .field('mediaType', 'document')
        .attach('file', Buffer.from('%PDF-1.4\nsmall'), { filename: 'a.pdf', contentType: 'application/pdf' }),
    );
    expect(after).toBe(202);
  });

  it('uploads are staged on disk and nothing is left behind', async () => {
    const stageDir = join(e.config.mediaDir, '.uploads');
    const res = await zapiOwnerUpload();
    expect(res.status).toBe(200);
    expect(readdirSync(stageDir)).toEqual([]);
  });
});

describe('staged uploads left by a crash', () => {
  it('are swept when old, kept while recent', async () => {
    const gate = new UploadGate({ mediaDir: e.config.mediaDir, limits: { perTenant: 1, perNode: 1 } });
    mkdirSync(gate.stageDir, { recursive: true });
    const old = join(gate.stageDir, 'old.part');
    const recent = join(gate.stageDir, 'recent.part');
    writeFileSync(old, 'x');
    writeFileSync(recent, 'y');
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(old, hourAgo, hourAgo);
    expect(await gate.sweepStale(60_000)).toBe(1);
    expect(readdirSync(gate.stageDir)).toEqual(['recent.part']);
    rmSync(recent);
  });
});

describe('malformed multipart', () => {
  it('/whatsapp send-media answers 400 MALFORMED_MULTIPART', async () => {
    const res = await request(e.app)
      .post(`/whatsapp/instances/${instanceId}/send-media`)
      .set('Cookie', owner.cookie)
      .set('Content-Type', `multipart/form-data; boundary=${BOUNDARY}`)
      .send(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\nunterminated`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MALFORMED_MULTIPART');
  });
});

function zapiOwnerUpload(): Promise<request.Response> {
  return request(e.app)
    .post('/api/mensagens/enviar-midia')
    .set(zapiOwner.headers)
    .field('instancia_uuid', zapiUuid)
    .field('phone', '5511999990000')
    .field('midia_type', 'document')
    .attach('document', Buffer.from('%PDF-1.4\nsmall'), { filename: 'a.pdf', contentType: 'application/pdf' });
}

async function eventuallyStatus(fn: () => Promise<request.Response>): Promise<number> {
  let last = 0;
  for (let i = 0; i < 50; i++) {
    last = (await fn()).status;
    if (last !== 429) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  return last;
}

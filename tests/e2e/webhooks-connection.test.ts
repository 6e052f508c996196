import { jest } from '@jest/globals';
import request from 'supertest';
import { webhookEnvelopeSchema } from '../../src/services/webhooks/webhook-events.js';
import { verifyWebhook } from '../../src/services/webhooks/webhook-signer.js';
import { startEngineApp, type EngineApp } from '../support/engine-app.js';
import { signup } from '../support/factories.js';
import { Receiver, waitFor, type Hit } from '../support/webhook-receiver.js';

jest.setTimeout(120_000);

/** Webhooks to the test's own receiver (loopback), quick polls. */
const WEBHOOK_E2E_ENV = { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_POLL_INTERVAL_MS: '200', WEBHOOK_BACKOFF_BASE_MS: '100', WEBHOOK_BACKOFF_MAX_MS: '500' };

let e: EngineApp;
const receiver = new Receiver();

beforeAll(async () => {
  await receiver.start();
  e = await startEngineApp({ env: WEBHOOK_E2E_ENV });
});
afterAll(async () => {
  await e?.close();
  await receiver.stop();
});

async function instanceWithWebhook(path: string) {
  const owner = await signup(e.app);
  const res = await request(e.app).post('/whatsapp/instances').set('Cookie', owner.cookie).send({ name: 'Conexão', webhookUrl: receiver.url(path) });
  expect(res.status).toBe(201);
  return { cookie: owner.cookie, instanceId: res.body.data.instanceId as string, secret: res.body.data.webhookSecret as string };
}

const bodies = (hits: Hit[]) => hits.map((h) => JSON.parse(h.body) as { id: string; event: string; sequence: number; data: Record<string, unknown> });

describe('webhooks e2e: connection.update through pairing, logout and ban', () => {
  it('pairing then logout from the phone: qr (with the QR), connected (with the phone), disconnected/logged_out', async () => {
    const { cookie, instanceId, secret } = await instanceWithWebhook('/pair');
    const { phone } = await e.pair(cookie, instanceId);
    await waitFor(() => bodies(receiver.hitsOf('/pair')).some((b) => b.data.status === 'connected'), 20_000, 'connected webhook');
    await e.control.kick(phone, 'logged_out');
    await waitFor(() => bodies(receiver.hitsOf('/pair')).some((b) => b.data.reason === 'logged_out'), 20_000, 'logout webhook');

    const hits = receiver.hitsOf('/pair');
    for (const hit of hits) {
      expect(verifyWebhook({ secret, headers: hit.headers, body: hit.body }).ok).toBe(true);
      expect(webhookEnvelopeSchema.safeParse(JSON.parse(hit.body)).success).toBe(true);
    }
    // Only connection.update matters here (pairing may also bring messages.upsert from the history sync).
    const seen = bodies(hits).filter((b) => b.event === 'connection.update');
    const unique = [...new Map(seen.map((b) => [b.id, b])).values()].sort((a, b) => a.sequence - b.sequence);
    const qr = unique.find((b) => b.data.status === 'qr');
    expect(qr?.data.qrCode).toMatchObject({ base64: expect.stringMatching(/^data:image\/png;base64,/), expiry: expect.any(Number), attemptId: expect.any(String) });
    const connected = unique.find((b) => b.data.status === 'connected');
    expect(connected?.data.phone).toBe(`+${phone}`);
    expect(unique.at(-1)?.data).toMatchObject({ status: 'disconnected', reason: 'logged_out', phone: null });
    expect(unique.map((b) => b.sequence)).toEqual([...unique.map((b) => b.sequence)].sort((a, b) => a - b));
    expect(unique.indexOf(qr!)).toBeLessThan(unique.indexOf(connected!));
  });

  it('ban: connection.update with status banned', async () => {
    const { cookie, instanceId, secret } = await instanceWithWebhook('/ban');
    const { phone } = await e.pair(cookie, instanceId);
    try {
      await e.control.kick(phone, 'banned');
      await waitFor(() => bodies(receiver.hitsOf('/ban')).some((b) => b.data.status === 'banned'), 20_000, 'banned webhook');
      const hit = receiver.hitsOf('/ban').find((h) => JSON.parse(h.body).data.status === 'banned')!;
      expect(verifyWebhook({ secret, headers: hit.headers, body: hit.body }).ok).toBe(true);
      expect(JSON.parse(hit.body)).toMatchObject({ event: 'connection.update', instance: { instanceId, instanceName: 'Conexão' }, data: { status: 'banned', reason: 'banned' } });
    } finally {
      await e.control.unban(phone);
    }
  });
});

import request from 'supertest';
import { verifyWebhook } from '../../../src/services/webhooks/webhook-signer.js';
import { signup } from '../../support/factories.js';
import { createWebhookTestApp, hang, Receiver, status, waitFor, type WebhookTestApp } from './webhook-kit.js';

const upsert = (id: string, text = 'Olá!') => ({
  key: { remoteJid: '5511999999999@s.whatsapp.net', fromMe: false, id },
  message: { conversation: text },
  messageType: 'conversation',
  pushName: 'João Silva',
  messageTimestamp: '1704456789',
});

let t: WebhookTestApp;
const receiver = new Receiver();

beforeAll(async () => {
  t = await createWebhookTestApp();
  await receiver.start();
  await t.webhooks.start();
});
afterAll(async () => {
  await t?.close();
  await receiver.stop();
});

/** A fresh tenant with one instance pointing at `url`. */
async function instanceAt(url: string, extra: Record<string, unknown> = {}) {
  const owner = await signup(t.app);
  const res = await request(t.app).post('/whatsapp/instances').set('Cookie', owner.cookie).send({ name: 'Atendimento', webhookUrl: url, ...extra });
  expect(res.status).toBe(201);
  return { cookie: owner.cookie, instanceId: res.body.data.instanceId as string, secret: res.body.data.webhookSecret as string };
}

async function deliveriesOf(cookie: string, instanceId: string, query = '') {
  const res = await request(t.app).get(`/whatsapp/instances/${instanceId}/webhook-deliveries${query}`).set('Cookie', cookie);
  expect(res.status).toBe(200);
  return res.body as { data: Array<Record<string, unknown>>; pagination: { total: number; page: number; pageSize: number } };
}

describe('webhook delivery from the outbox', () => {
  it('delivers the signed envelope built from the event row', async () => {
    const { cookie, instanceId, secret } = await instanceAt(receiver.url('/signed'));
    expect(secret).toMatch(/^whsec_/);
    const { eventId, sequence } = await t.emit(instanceId, 'messages.upsert', upsert('BAE5C8F9A2B4E231'));
    await waitFor(() => receiver.hitsOf('/signed').length === 1, 10_000, 'delivery');
    const hit = receiver.hitsOf('/signed')[0]!;
    expect(verifyWebhook({ secret, headers: hit.headers, body: hit.body })).toMatchObject({ ok: true, id: eventId });
    expect(hit.headers['x-webhook-id']).toBe(eventId);
    expect(hit.headers['content-type']).toBe('application/json');
    const body = JSON.parse(hit.body);
    expect(body).toEqual({
      id: eventId,
      event: 'messages.upsert',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      sequence,
      instance: { instanceName: 'Atendimento', instanceId },
      data: upsert('BAE5C8F9A2B4E231'),
    });
    expect(Object.keys(body.data.key)).toEqual(['remoteJid', 'fromMe', 'id']);
    await waitFor(async () => (await deliveriesOf(cookie, instanceId)).data[0]?.status === 'succeeded', 5000, 'log');
    expect((await deliveriesOf(cookie, instanceId)).data[0]).toMatchObject({
      eventId, event: 'messages.upsert', status: 'succeeded', attempts: 1, lastStatusCode: 200, lastError: null, nextAttemptAt: null,
    });
  });

  it('retries after 500s and succeeds on the third attempt with the same id and bytes', async () => {
    const { cookie, instanceId, secret } = await instanceAt(receiver.url('/flaky', [status(500), status(503)]));
    const { eventId } = await t.emit(instanceId, 'messages.upsert', upsert('FLAKY1'));
    await waitFor(() => receiver.hitsOf('/flaky').length === 3, 10_000, 'three attempts');
    const hits = receiver.hitsOf('/flaky');
    expect(new Set(hits.map((h) => h.headers['x-webhook-id']))).toEqual(new Set([eventId]));
    expect(new Set(hits.map((h) => h.body)).size).toBe(1);
    for (const hit of hits) expect(verifyWebhook({ secret, headers: hit.headers, body: hit.body }).ok).toBe(true);
    await waitFor(async () => (await deliveriesOf(cookie, instanceId)).data[0]?.status === 'succeeded', 5000, 'log');
    const [row] = (await deliveriesOf(cookie, instanceId)).data;
    expect(row).toMatchObject({ attempts: 3, lastStatusCode: 200 });

    // The attempt history: each attempt with its answer, oldest first.
    const detail = await request(t.app).get(`/whatsapp/instances/${instanceId}/webhook-deliveries/${row!.id as string}`).set('Cookie', cookie);
    expect(detail.status).toBe(200);
    expect(detail.body.data).toMatchObject({ id: row!.id, eventId, status: 'succeeded', attempts: 3 });
    const history = detail.body.data.attemptHistory as Array<Record<string, unknown>>;
    expect(history.map((a) => [a.statusCode, a.error, a.responseBody])).toEqual([
      [500, 'HTTP 500', 'answer 500'],
      [503, 'HTTP 503', 'answer 503'],
      [200, null, null],
    ]);
    for (const a of history) {
      expect(Date.parse(a.at as string)).not.toBeNaN();
      expect(a.durationMs).toEqual(expect.any(Number));
    }
    const stranger = await signup(t.app);
    const foreign = await request(t.app).get(`/whatsapp/instances/${instanceId}/webhook-deliveries/${row!.id as string}`).set('Cookie', stranger.cookie);
    expect(foreign.status).toBe(404);
    const missing = await request(t.app).get(`/whatsapp/instances/${instanceId}/webhook-deliveries/whd_doesnotexist00`).set('Cookie', cookie);
    expect(missing.status).toBe(404);
    const malformed = await request(t.app).get(`/whatsapp/instances/${instanceId}/webhook-deliveries/nope`).set('Cookie', cookie);
    expect(malformed.status).toBe(400);
  });

  it('keeps the failure in the log while waiting for the next attempt', async () => {
    const { cookie, instanceId } = await instanceAt(receiver.url('/later', [status(503, { 'Retry-After': '30' })]));
    await t.emit(instanceId, 'messages.upsert', upsert('LATER1'));
    await waitFor(async () => (await deliveriesOf(cookie, instanceId)).data[0]?.status === 'pending' && receiver.hitsOf('/later').length === 1, 10_000, 'retry scheduled');
    const [row] = (await deliveriesOf(cookie, instanceId)).data;
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 503, lastError: 'HTTP 503' });
    const wait = Date.parse(row!.nextAttemptAt as string) - Date.now();
    expect(wait).toBeGreaterThan(20_000); // Retry-After: 30 honoured
    expect(receiver.hitsOf('/later')).toHaveLength(1);
  });

  it('stops at once on a 404 and keeps the delivery as failed', async () => {
    const { cookie, instanceId } = await instanceAt(receiver.url('/gone', [], status(404)));
    await t.emit(instanceId, 'messages.upsert', upsert('GONE1'));
    await waitFor(async () => (await deliveriesOf(cookie, instanceId)).data[0]?.status === 'failed', 10_000, 'failed');
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.hitsOf('/gone')).toHaveLength(1);
    expect((await deliveriesOf(cookie, instanceId)).data[0]).toMatchObject({ attempts: 1, lastStatusCode: 404, lastError: 'HTTP 404', nextAttemptAt: null });
  });

  it('gives up after the last attempt (dead letter, kept) and redelivers on request', async () => {
    const { cookie, instanceId, secret } = await instanceAt(receiver.url('/down', [], status(500)));
    const { eventId } = await t.emit(instanceId, 'messages.upsert', upsert('DOWN1'));
    await waitFor(async () => (await deliveriesOf(cookie, instanceId)).data[0]?.status === 'failed', 10_000, 'dead letter');
    expect(receiver.hitsOf('/down')).toHaveLength(4);
    const [dead] = (await deliveriesOf(cookie, instanceId, '?status=failed')).data;
    expect(dead).toMatchObject({ attempts: 4, lastStatusCode: 500, lastError: 'HTTP 500; no attempts left' });

    receiver.url('/down'); // the receiver is fixed: 200 from now on
    const redeliver = await request(t.app)
      .post(`/whatsapp/instances/${instanceId}/webhook-deliveries/${dead!.id as string}/redeliver`)
      .set('Cookie', cookie);
    expect(redeliver.status).toBe(202);
    expect(redeliver.body.data).toMatchObject({ id: dead!.id, status: 'pending', attempts: 0 });
    await waitFor(async () => (await deliveriesOf(cookie, instanceId)).data[0]?.status === 'succeeded', 10_000, 'redelivered');
    const last = receiver.hitsOf('/down').at(-1)!;
    expect(verifyWebhook({ secret, headers: last.headers, body: last.body })).toMatchObject({ ok: true, id: eventId });
    expect(JSON.parse(last.body).id).toBe(eventId);
    // The history keeps the failures before the redelivery.
    const detail = await request(t.app).get(`/whatsapp/instances/${instanceId}/webhook-deliveries/${dead!.id as string}`).set('Cookie', cookie);
    expect((detail.body.data.attemptHistory as Array<{ statusCode: number }>).map((a) => a.statusCode)).toEqual([500, 500, 500, 500, 200]);

    const missing = await request(t.app).post(`/whatsapp/instances/${instanceId}/webhook-deliveries/whd_doesnotexist00/redeliver`).set('Cookie', cookie);
    expect(missing.status).toBe(404);
    const stranger = await signup(t.app);
    const foreign = await request(t.app).post(`/whatsapp/instances/${instanceId}/webhook-deliveries/${dead!.id as string}/redeliver`).set('Cookie', stranger.cookie);
    expect(foreign.status).toBe(404);
  });

  it('only subscribed events are delivered; the log filters by status and event', async () => {
    const { cookie, instanceId } = await instanceAt(receiver.url('/subset'), { webhookEvents: ['connection.update'] });
    await t.emit(instanceId, 'messages.upsert', upsert('SKIPPED'));
    const { eventId } = await t.emit(instanceId, 'connection.update', { status: 'connected', reason: 'connected', phone: '+5511999999999' });
    await waitFor(() => receiver.hitsOf('/subset').length === 1, 10_000, 'subscribed event');
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.hitsOf('/subset').map((h) => h.headers['x-webhook-id'])).toEqual([eventId]);
    expect((await deliveriesOf(cookie, instanceId, '?event=connection.update')).pagination.total).toBe(1);
    expect((await deliveriesOf(cookie, instanceId, '?event=messages.upsert')).pagination.total).toBe(0);
    const bad = await request(t.app).get(`/whatsapp/instances/${instanceId}/webhook-deliveries?status=weird`).set('Cookie', cookie);
    expect(bad.status).toBe(400);
  });

  it('per-host fairness: a hanging receiver does not take every slot', async () => {
    const slow = await instanceAt(receiver.url('/hang', [], hang));
    for (let i = 0; i < 15; i++) await t.emit(slow.instanceId, 'messages.upsert', upsert(`HANG${i}`));
    await waitFor(() => receiver.hitsOf('/hang').length >= 10, 10_000, 'slots taken by the hanging host');
    // Another host (localhost vs 127.0.0.1) still gets through at once.
    const other = await instanceAt(`http://localhost:${receiver.port}/other`);
    await t.emit(other.instanceId, 'messages.upsert', upsert('OTHER'));
    await waitFor(() => receiver.hitsOf('/other').length === 1, 5000, 'the other host');
    // Never more than the per-host limit of deliveries in flight. A hanging request frees its slot only when it
    // times out (2 s here), so within the first second at most 10 distinct deliveries can have arrived (a request
    // the client sent again on a fresh connection keeps its X-Webhook-Id).
    const hangs = receiver.hitsOf('/hang');
    const first = Math.min(...hangs.map((h) => h.at));
    const early = new Set(hangs.filter((h) => h.at < first + 1000).map((h) => h.headers['x-webhook-id']));
    expect(early.size).toBe(10);
  });
});

describe('test event and secret rotation', () => {
  it('POST /webhook/test sends a signed test event and reports the answer', async () => {
    const { cookie, instanceId, secret } = await instanceAt(receiver.url('/test-ok', [status(418)]));
    const teapot = await request(t.app).post(`/whatsapp/instances/${instanceId}/webhook/test`).set('Cookie', cookie);
    expect(teapot.status).toBe(200);
    expect(teapot.body.data).toMatchObject({ ok: false, statusCode: 418, error: 'HTTP 418', responseBody: 'answer 418' });
    const ok = await request(t.app).post(`/whatsapp/instances/${instanceId}/webhook/test`).set('Cookie', cookie);
    expect(ok.body.data).toMatchObject({ ok: true, statusCode: 200, error: null, durationMs: expect.any(Number) });
    const hit = receiver.hitsOf('/test-ok').at(-1)!;
    expect(verifyWebhook({ secret, headers: hit.headers, body: hit.body })).toMatchObject({ ok: true, id: ok.body.data.eventId });
    expect(JSON.parse(hit.body)).toMatchObject({ event: 'webhook.test', instance: { instanceId } });
    expect((await deliveriesOf(cookie, instanceId)).pagination.total).toBe(0);

    await receiver.stop();
    try {
      const down = await request(t.app).post(`/whatsapp/instances/${instanceId}/webhook/test`).set('Cookie', cookie);
      expect(down.body.data).toMatchObject({ ok: false, statusCode: null, error: expect.stringMatching(/failed|refused/i) });
    } finally {
      await receiver.start();
    }
  });

  it('rotating the secret changes the signature of the next delivery', async () => {
    const { cookie, instanceId, secret } = await instanceAt(receiver.url('/rotate'));
    // A delivery before the rotation: the runner has opened (and cached) the old secret.
    await t.emit(instanceId, 'messages.upsert', upsert('ROT0'));
    await waitFor(() => receiver.hitsOf('/rotate').length === 1, 10_000, 'delivery before the rotation');
    const before = receiver.hitsOf('/rotate')[0]!;
    expect(verifyWebhook({ secret, headers: before.headers, body: before.body }).ok).toBe(true);
    const rotated = await request(t.app).post(`/whatsapp/instances/${instanceId}/webhook-secret/rotate`).set('Cookie', cookie);
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.data.webhookSecret as string;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(secret);
    const detail = await request(t.app).get(`/whatsapp/instances/${instanceId}`).set('Cookie', cookie);
    expect(detail.body.data.webhookSecret).toBe(fresh);
    await t.emit(instanceId, 'messages.upsert', upsert('ROT1'));
    await waitFor(() => receiver.hitsOf('/rotate').length === 2, 10_000, 'delivery');
    const hit = receiver.hitsOf('/rotate')[1]!;
    expect(verifyWebhook({ secret: fresh, headers: hit.headers, body: hit.body }).ok).toBe(true);
    expect(verifyWebhook({ secret, headers: hit.headers, body: hit.body })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('the secret is stored encrypted, not in plain text', async () => {
    const { instanceId, secret } = await instanceAt(receiver.url('/at-rest'));
    const [row] = await t.db.dataSource.query(`SELECT "webhook_secret" AS s FROM "instances" WHERE "id" = $1`, [instanceId]);
    expect(row.s).toMatch(/^v1\./);
    expect(row.s).not.toContain(secret.slice(6));
  });
});

import request from 'supertest';
import { signup } from '../../support/factories.js';
import { createWebhookTestApp, Receiver, waitFor, type WebhookTestApp } from './webhook-kit.js';

let t: WebhookTestApp;
const receiver = new Receiver();

beforeAll(async () => {
  // Production-like: private and loopback receivers refused.
  t = await createWebhookTestApp({ env: { WEBHOOK_ALLOW_PRIVATE_URLS: 'false' } });
  await receiver.start();
  await t.webhooks.start();
});
afterAll(async () => {
  await t?.close();
  await receiver.stop();
});

const create = async (cookie: string, body: Record<string, unknown>) =>
  request(t.app).post('/whatsapp/instances').set('Cookie', cookie).send({ name: 'Vendas', ...body });

describe('webhook settings of an instance', () => {
  it('create returns the webhook secret; the detail shows it and the subscription', async () => {
    const { cookie } = await signup(t.app);
    const res = await create(cookie, { webhookUrl: 'https://hooks.example.com/zap', webhookEvents: ['messages.upsert', 'connection.update'] });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ webhookUrl: 'https://hooks.example.com/zap', webhookSecret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/) });
    const detail = await request(t.app).get(`/whatsapp/instances/${res.body.data.instanceId}`).set('Cookie', cookie);
    expect(detail.body.data).toMatchObject({ webhookSecret: res.body.data.webhookSecret, webhookEvents: ['messages.upsert', 'connection.update'] });

    const put = await request(t.app).put(`/whatsapp/instances/${res.body.data.instanceId}`).set('Cookie', cookie).send({ webhookEvents: null });
    expect(put.status).toBe(200);
    expect(put.body.data).toMatchObject({ webhookEvents: null, webhookSecret: res.body.data.webhookSecret });
    const subset = await request(t.app).put(`/whatsapp/instances/${res.body.data.instanceId}`).set('Cookie', cookie).send({ webhookEvents: ['presence.update'] });
    expect(subset.body.data.webhookEvents).toEqual(['presence.update']);
  });

  it('unknown or repeated event names are a 400', async () => {
    const { cookie } = await signup(t.app);
    const unknown = await create(cookie, { webhookUrl: 'https://hooks.example.com/zap', webhookEvents: ['messages.upsert', 'message.created'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('VALIDATION_FAILED');
    expect(unknown.body.error.details[0]).toMatchObject({ path: 'webhookEvents.1' });
    expect((await create(cookie, { webhookEvents: ['messages.upsert', 'messages.upsert'] })).status).toBe(400);
    expect((await create(cookie, { webhookEvents: [] })).status).toBe(400);
    const ok = await create(cookie, {});
    const put = await request(t.app).put(`/whatsapp/instances/${ok.body.data.instanceId}`).set('Cookie', cookie).send({ webhookEvents: ['nope'] });
    expect(put.status).toBe(400);
  });

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'http://10.1.2.3/hook',
    'http://192.168.0.10/hook',
    'http://[::1]/hook',
    'http://169.254.169.254/latest/meta-data',
  ])('refuses the private or loopback URL %s', async (url) => {
    const { cookie } = await signup(t.app);
    const res = await create(cookie, { webhookUrl: url });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('WEBHOOK_URL_NOT_ALLOWED');
    const ok = await create(cookie, { webhookUrl: 'https://hooks.example.com/a' });
    expect(ok.status).toBe(201);
    const put = await request(t.app).put(`/whatsapp/instances/${ok.body.data.instanceId}`).set('Cookie', cookie).send({ webhookUrl: url });
    expect(put.status).toBe(400);
    expect(put.body.error.code).toBe('WEBHOOK_URL_NOT_ALLOWED');
  });

  it('refuses schemes other than http and https', async () => {
    const { cookie } = await signup(t.app);
    for (const url of ['ftp://hooks.example.com/x', 'file:///etc/passwd', 'javascript:alert(1)']) {
      expect((await create(cookie, { webhookUrl: url })).status).toBe(400);
    }
  });

  it('checks the URL again at delivery time: a private target is failed without a request', async () => {
    const { cookie } = await signup(t.app);
    const ok = await create(cookie, { webhookUrl: 'https://hooks.example.com/a' });
    const instanceId = ok.body.data.instanceId as string;
    // As if DNS now pointed the host at a private address (or the row predates the check).
    await t.db.dataSource.query(`UPDATE "instances" SET "webhook_url" = $2 WHERE "id" = $1`, [instanceId, receiver.url('/private')]);
    await t.emit(instanceId, 'connection.update', { status: 'qr', reason: 'qr' });
    const log = async () =>
      (await request(t.app).get(`/whatsapp/instances/${instanceId}/webhook-deliveries`).set('Cookie', cookie)).body.data[0];
    await waitFor(async () => (await log())?.status === 'failed', 10_000, 'refused delivery');
    expect(await log()).toMatchObject({ attempts: 1, lastStatusCode: null, lastError: expect.stringContaining('URL_NOT_ALLOWED') });
    expect(receiver.hitsOf('/private')).toHaveLength(0);
  });

  it('webhook routes are tenant-scoped and documented', async () => {
    const owner = await signup(t.app);
    const stranger = await signup(t.app);
    const ok = await create(owner.cookie, { webhookUrl: 'https://hooks.example.com/a' });
    const id = ok.body.data.instanceId as string;
    for (const [method, path] of [
      ['get', `/whatsapp/instances/${id}/webhook-deliveries`],
      ['post', `/whatsapp/instances/${id}/webhook-secret/rotate`],
      ['post', `/whatsapp/instances/${id}/webhook/test`],
      ['get', `/whatsapp/instances/${id}/events`],
    ] as const) {
      expect((await request(t.app)[method](path).set('Cookie', stranger.cookie)).status).toBe(404);
      expect((await request(t.app)[method](path)).status).toBe(401);
    }
    const doc = await request(t.app).get('/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/whatsapp/instances/{instanceId}/webhook-deliveries',
        '/whatsapp/instances/{instanceId}/webhook-deliveries/{deliveryId}/redeliver',
        '/whatsapp/instances/{instanceId}/webhook/test',
        '/whatsapp/instances/{instanceId}/webhook-secret/rotate',
        '/whatsapp/instances/{instanceId}/events',
      ]),
    );
    expect(doc.body.webhooks.event.post.requestBody.content['application/json'].schema).toBeDefined();
  });

  it('the test endpoint needs a webhook URL', async () => {
    const { cookie } = await signup(t.app);
    const ok = await create(cookie, {});
    const res = await request(t.app).post(`/whatsapp/instances/${ok.body.data.instanceId}/webhook/test`).set('Cookie', cookie);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('WEBHOOK_URL_NOT_SET');
  });
});

import request from 'supertest';
import { createInstance, signup, type SignedUp } from '../support/factories.js';
import { startEngineApp, type EngineApp } from '../support/engine-app.js';

let e: EngineApp;
let owner: SignedUp;

beforeAll(async () => {
  e = await startEngineApp();
  owner = await signup(e.app);
  await e.services.admin.setPlan(owner.tenantId, 'enterprise');
});
afterAll(async () => {
  await e?.close();
});

const get = (id: string) => request(e.app).get(`/whatsapp/instances/${id}`).set('Cookie', owner.cookie);
const post = (id: string, op: string) => request(e.app).post(`/whatsapp/instances/${id}/${op}`).set('Cookie', owner.cookie);

const connectionUpdates = (instanceId: string) => e.connectionUpdates(instanceId);

describe('instances over HTTP: create, QR, pairing', () => {
  it('shows a QR after create, pairs by scanning qrCode.code, and connects with the phone', async () => {
    const { instanceId } = await createInstance(e.app, owner.cookie, { name: 'Atendimento' });
    const withQr = await e.waitForInstance(owner.cookie, instanceId, (i) => i.status === 'qr' && Boolean(i.qrCode), 15_000);
    expect(withQr.statusReason).toBe('qr');
    expect(withQr.qrCode).toEqual({
      base64: expect.stringMatching(/^data:image\/png;base64,iVBORw0KGgo/),
      code: expect.stringMatching(/^https:\/\/wa\.me\/settings\/linked_devices#/),
      expiry: 20,
      attemptId: 'qr_attempt_1',
      attempt: 1,
      maxAttempts: 6,
    });

    const phone = '5511987650001';
    await e.control.scan(withQr.qrCode!.code, phone, 'Loja');
    const connected = await e.waitForInstance(owner.cookie, instanceId, (i) => i.status === 'connected', 20_000);
    expect(connected).toMatchObject({ status: 'connected', statusReason: 'connected', phone: `+${phone}` });
    expect(connected.qrCode).toBeUndefined();
    expect('profilePicUrl' in connected).toBe(true);

    // The list shows it too, and the admin view knows the node.
    const list = await request(e.app).get('/whatsapp/instances').set('Cookie', owner.cookie);
    expect(list.body.data.find((i: { id: string }) => i.id === instanceId)).toMatchObject({ status: 'connected', phone: `+${phone}` });
    const row = await e.services.repositories.instances.findById(instanceId);
    expect(row?.nodeId).toBe(e.config.nodeId);

    // connection.update rows in the outbox: the QR (with its code) then connected, in sequence.
    const updates = await connectionUpdates(instanceId);
    expect(updates.map((u) => u.status)).toEqual(['qr', 'connected']);
    expect(updates[0]).toMatchObject({ status: 'qr', reason: 'qr', qrCode: { attemptId: 'qr_attempt_1', attempt: 1, maxAttempts: 6, expiry: 20 } });
    expect(updates[1]).toMatchObject({ status: 'connected', reason: 'connected', phone: `+${phone}` });
    expect(updates[1]!.qrCode).toBeUndefined();

    // The simulated phone lists one connected device.
    const state = await e.control.state();
    expect(state.phones.find((p) => p.phone === phone)?.devices.map((d) => d.connected)).toEqual([true]);

    // PUT with a new name or webhook does not touch the connection.
    const put = await request(e.app)
      .put(`/whatsapp/instances/${instanceId}`)
      .set('Cookie', owner.cookie)
      .send({ name: 'Atendimento 2', webhookUrl: 'https://example.com/hook' });
    expect(put.status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    const after = await get(instanceId);
    expect(after.body.data).toMatchObject({ name: 'Atendimento 2', status: 'connected' });
    expect((await connectionUpdates(instanceId)).length).toBe(2);

    // restart: closes and reopens with the saved credentials, no QR.
    const restarted = await post(instanceId, 'restart');
    expect(restarted.status).toBe(200);
    expect(restarted.body.data.id).toBe(instanceId);
    // The answer can come before the new statuses are recorded (the old `connected` row is still there), so wait
    // for the events themselves: the row and its event are written in one transaction.
    let afterRestart: string[] = [];
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      afterRestart = (await connectionUpdates(instanceId)).slice(2).map((u) => `${u.status}/${u.reason}`);
      if (afterRestart.length >= 2) break;
    }
    expect(afterRestart).toEqual(['disconnected/restarting', 'connected/connected']);
    await e.waitForInstance(owner.cookie, instanceId, (i) => i.status === 'connected', 20_000);

    // regenerate-qr on a connected instance is a conflict.
    const regen = await post(instanceId, 'regenerate-qr');
    expect(regen.status).toBe(409);
    expect(regen.body.error.code).toBe('INSTANCE_ALREADY_CONNECTED');

    // The OpenAPI document lists the operations, and the messaging routes (createNode's contributors).
    const doc = await request(e.app).get('/openapi.json');
    for (const path of ['/whatsapp/instances/{instanceId}/regenerate-qr', '/whatsapp/instances/{instanceId}/restart', '/whatsapp/instances/{instanceId}/disconnect', '/admin/instances/{instanceId}/restart', '/metrics']) {
      expect(doc.body.paths[path]).toBeDefined();
    }
    const messaging = (path: string) => doc.body.paths[`/whatsapp/instances/{instanceId}${path}`];
    expect(messaging('/send-text').post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/SendTextBody' });
    expect(Object.keys(messaging('/send-media').post.requestBody.content)).toEqual(['application/json', 'multipart/form-data']);
    expect(messaging('/send-media').post.responses['202']).toBeDefined();
    for (const [path, method] of [
      ['/messages/{messageId}', 'get'],
      ['/messages/{messageId}/media', 'get'],
      ['/numbers/{phone}', 'get'],
      ['/contacts', 'get'],
      ['/chats', 'get'],
      ['/chats/{jid}/messages', 'get'],
      ['/chats/{jid}/read', 'post'],
    ] as const) {
      expect(messaging(path)?.[method]).toBeDefined();
    }

    // metrics: engine gauges for this node.
    const metrics = await request(e.app).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain(`zap_engine_instances{node="${e.config.nodeId}",status="connected"} 1`);
    expect(metrics.text).toContain('zap_engine_reconnects_total');
  });
});

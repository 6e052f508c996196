import request from 'supertest';
import { createInstance, DEFAULT_PASSWORD, login, signup, uniqueEmail, type SignedUp } from '../support/factories.js';
import { freshPhone, startEngineApp, type EngineApp } from '../support/engine-app.js';

let e: EngineApp;
let owner: SignedUp;
let stranger: SignedUp;

beforeAll(async () => {
  e = await startEngineApp();
  owner = await signup(e.app);
  stranger = await signup(e.app);
  await e.services.admin.setPlan(owner.tenantId, 'enterprise');
});
afterAll(async () => {
  await e?.close();
});

async function devicesOf(phone: string) {
  const state = await e.control.state();
  return state.phones.find((p) => p.phone === phone)?.devices ?? [];
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The reasons of the connection updates after `mark`, once a restart has written its two (or after 20 s, whatever is there). */
async function restartReasons(app: EngineApp, instanceId: string, mark: number): Promise<Array<string | null | undefined>> {
  let reasons: Array<string | null | undefined> = [];
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    reasons = (await app.connectionUpdates(instanceId, mark)).map((u) => u.reason);
    if (reasons.length >= 2) break;
  }
  return reasons;
}

describe('instances over HTTP: operations', () => {
  it('disconnect logs the device out of WhatsApp and wipes its Redis keys; restart pairs again with a QR', async () => {
    const { instanceId } = await createInstance(e.app, owner.cookie);
    const { phone } = await e.pair(owner.cookie, instanceId, freshPhone());
    expect(await devicesOf(phone)).toHaveLength(1);
    expect((await e.keysOf(instanceId)).length).toBeGreaterThan(2);

    const res = await request(e.app).post(`/whatsapp/instances/${instanceId}/disconnect`).set('Cookie', owner.cookie);
    expect(res.status).toBe(200);
    const after = await e.waitForInstance(owner.cookie, instanceId, (i) => i.status === 'disconnected');
    expect(after).toMatchObject({ statusReason: 'logged_out', phone: null });
    await until(async () => (await devicesOf(phone)).length === 0); // the phone no longer lists it
    expect(await e.keysOf(`auth:${instanceId}`)).toEqual([]);
    expect(await e.keysOf(`qr:${instanceId}`)).toEqual([]);

    // Restart of a logged-out instance: a new QR cycle, and it pairs again.
    const restart = await request(e.app).post(`/whatsapp/instances/${instanceId}/restart`).set('Cookie', owner.cookie);
    expect(restart.status).toBe(200);
    await e.pair(owner.cookie, instanceId, phone);
    expect(await devicesOf(phone)).toHaveLength(1);
  });

  it('DELETE logs out, stops the socket and removes everything, Redis keys included', async () => {
    const { instanceId } = await createInstance(e.app, owner.cookie);
    const { phone } = await e.pair(owner.cookie, instanceId, freshPhone());
    expect((await e.keysOf(instanceId)).length).toBeGreaterThan(2);
    expect(e.node.messaging.workers?.isRunning(instanceId)).toBe(true);

    const res = await request(e.app).delete(`/whatsapp/instances/${instanceId}`).set('Cookie', owner.cookie);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, message: 'Instance deleted successfully' });
    expect((await request(e.app).get(`/whatsapp/instances/${instanceId}`).set('Cookie', owner.cookie)).status).toBe(404);
    expect(await e.keysOf(instanceId)).toEqual([]);
    await until(async () => (await devicesOf(phone)).length === 0);
    expect(e.node.engine.supervisor?.localInstanceIds()).not.toContain(instanceId);
    expect(e.node.messaging.workers?.isRunning(instanceId)).toBe(false);
    expect(await e.services.repositories.webhookEvents.listAfter(instanceId, 0)).toEqual([]);
    // Nothing comes back later (no late status write, no QR key).
    await new Promise((r) => setTimeout(r, 1000));
    expect(await e.keysOf(instanceId)).toEqual([]);
  });

  it('DELETE of an instance still showing a QR wipes it too', async () => {
    const { instanceId } = await createInstance(e.app, owner.cookie);
    await e.waitForInstance(owner.cookie, instanceId, (i) => i.status === 'qr' && Boolean(i.qrCode));
    expect(await e.keysOf(`qr:${instanceId}`)).toHaveLength(1);
    const res = await request(e.app).delete(`/whatsapp/instances/${instanceId}`).set('Cookie', owner.cookie);
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(await e.keysOf(instanceId)).toEqual([]);
  });

  it("keeps tenants apart: another tenant's instance is not found on every operation", async () => {
    const { instanceId } = await createInstance(e.app, owner.cookie);
    for (const op of ['regenerate-qr', 'restart', 'disconnect']) {
      const res = await request(e.app).post(`/whatsapp/instances/${instanceId}/${op}`).set('Cookie', stranger.cookie);
      expect([op, res.status, res.body.error?.code]).toEqual([op, 404, 'NOT_FOUND']);
    }
    const del = await request(e.app).delete(`/whatsapp/instances/${instanceId}`).set('Cookie', stranger.cookie);
    expect(del.status).toBe(404);
    const anonymous = await request(e.app).post(`/whatsapp/instances/${instanceId}/restart`);
    expect(anonymous.status).toBe(401);
    const bad = await request(e.app).post('/whatsapp/instances/nope/restart').set('Cookie', owner.cookie);
    expect(bad.status).toBe(400);
    // The owner still has it, untouched.
    expect((await request(e.app).get(`/whatsapp/instances/${instanceId}`).set('Cookie', owner.cookie)).status).toBe(200);
    // Only platform admins restart other tenants' instances.
    const notAdmin = await request(e.app).post(`/admin/instances/${instanceId}/restart`).set('Cookie', stranger.cookie);
    expect(notAdmin.status).toBe(403);
  });

  it("a platform admin restarts any tenant's instance; it reconnects without QR", async () => {
    const { instanceId } = await createInstance(e.app, owner.cookie);
    const { phone } = await e.pair(owner.cookie, instanceId, freshPhone());
    const email = uniqueEmail('admin');
    await e.services.admin.ensurePlatformAdmin(email, DEFAULT_PASSWORD);
    const adminCookie = await login(e.app, email, DEFAULT_PASSWORD);
    const before = await e.lastSequence(instanceId);

    const res = await request(e.app).post(`/admin/instances/${instanceId}/restart`).set('Cookie', adminCookie);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: instanceId, tenantId: owner.tenantId, nodeId: e.config.nodeId });
    // The old `connected` row can still be there when the answer comes: wait for the two new events first.
    expect(await restartReasons(e, instanceId, before)).toEqual(['restarting', 'connected']);
    await e.waitForInstance(owner.cookie, instanceId, (i) => i.status === 'connected' && i.phone === `+${phone}`);
    const missing = await request(e.app).post('/admin/instances/inst_doesnotexist00/restart').set('Cookie', adminCookie);
    expect(missing.status).toBe(404);
  });

  it('a restarted process (new node on the same Postgres and Redis) restores the connection without QR', async () => {
    const { instanceId } = await createInstance(e.app, owner.cookie);
    const { phone } = await e.pair(owner.cookie, instanceId, freshPhone());
    const before = await e.lastSequence(instanceId);

    await e.stop(); // SIGTERM: sockets closed without logout, leases released
    const restarted = await startEngineApp({ shareWith: e });
    try {
      const back = await restarted.waitForInstance(owner.cookie, instanceId, (i) => i.status === 'connected' && i.phone === `+${phone}`, 30_000);
      expect(back.qrCode).toBeUndefined();
      const row = await restarted.services.repositories.instances.findById(instanceId);
      await until(async () => (await restarted.services.repositories.instances.findById(instanceId))?.nodeId === restarted.config.nodeId);
      expect(row?.status).toBe('connected');
      expect((await restarted.connectionUpdates(instanceId, before)).map((u) => u.status)).not.toContain('qr');
      const devices = await devicesOf(phone);
      expect(devices.filter((d) => d.connected)).toHaveLength(1);

      // An API-only node (ROLE=api, no sockets) reaches the socket on the worker through the command bus.
      const api = await startEngineApp({ shareWith: e, env: { ROLE: 'api' } });
      try {
        expect(api.node.engine.supervisor).toBeNull();
        const mark = await restarted.lastSequence(instanceId);
        const res = await request(api.app).post(`/whatsapp/instances/${instanceId}/restart`).set('Cookie', owner.cookie);
        expect(res.status).toBe(200);
        // As above: the old `connected` row can still be there when the answer comes.
        expect(await restartReasons(restarted, instanceId, mark)).toEqual(['restarting', 'connected']);
        await api.waitForInstance(owner.cookie, instanceId, (i) => i.status === 'connected');
        // A new instance created through the API node gets its QR from a worker, shown by the API node.
        const created = await createInstance(api.app, owner.cookie);
        const qr = await api.waitForInstance(owner.cookie, created.instanceId, (i) => i.status === 'qr' && Boolean(i.qrCode), 5000);
        expect(qr.qrCode!.attemptId).toBe('qr_attempt_1');
        expect(restarted.node.engine.supervisor?.localInstanceIds()).toContain(created.instanceId);
      } finally {
        await api.stop();
      }
    } finally {
      await restarted.stop();
    }
  });
});

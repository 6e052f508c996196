import { createInstance, signup, type SignedUp } from '../support/factories.js';
import { freshPhone, startEngineApp, type EngineApp } from '../support/engine-app.js';

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

async function connectedInstance() {
  const { instanceId } = await createInstance(e.app, owner.cookie);
  const { phone } = await e.pair(owner.cookie, instanceId, freshPhone());
  return { instanceId, phone };
}

async function lastUpdate(instanceId: string) {
  return (await e.connectionUpdates(instanceId)).at(-1);
}

const authKeys = (instanceId: string) => e.keysOf(`auth:${instanceId}`);

describe('instances over HTTP: what WhatsApp does to a connection', () => {
  it('logged out from the phone: disconnected/logged_out, auth keys gone, no reconnect', async () => {
    const { instanceId, phone } = await connectedInstance();
    expect((await authKeys(instanceId)).length).toBeGreaterThan(0);
    await e.control.kick(phone, 'logged_out');
    const after = await e.waitForInstance(owner.cookie, instanceId, (i) => i.status === 'disconnected');
    expect(after).toMatchObject({ statusReason: 'logged_out', phone: null });
    expect(await authKeys(instanceId)).toEqual([]);
    expect(await lastUpdate(instanceId)).toMatchObject({ status: 'disconnected', reason: 'logged_out', phone: null });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await e.waitForInstance(owner.cookie, instanceId, () => true)).status).toBe('disconnected');
  });

  it('banned: status banned, no reconnect', async () => {
    const { instanceId, phone } = await connectedInstance();
    await e.control.kick(phone, 'banned');
    const after = await e.waitForInstance(owner.cookie, instanceId, (i) => i.status === 'banned');
    expect(after.statusReason).toBe('banned');
    expect(await lastUpdate(instanceId)).toMatchObject({ status: 'banned', reason: 'banned' });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await e.waitForInstance(owner.cookie, instanceId, () => true)).status).toBe('banned');
    await e.control.unban(phone);
  });

  it('replaced by another client: disconnected/replaced, no reconnect loop', async () => {
    const { instanceId, phone } = await connectedInstance();
    await e.control.kick(phone, 'replaced');
    const after = await e.waitForInstance(owner.cookie, instanceId, (i) => i.status === 'disconnected');
    expect(after.statusReason).toBe('replaced');
    await new Promise((r) => setTimeout(r, 1500));
    expect((await e.connectionUpdates(instanceId)).map((u) => u.status)).toEqual(['qr', 'connected', 'disconnected']);
  });

  it('network drop: reconnects by itself to connected, with the same phone and no QR', async () => {
    const { instanceId, phone } = await connectedInstance();
    const before = await e.lastSequence(instanceId);
    await e.control.kick(phone, 'network');
    // The first reconnect succeeds before the status would change: connected all along, or back to it.
    await new Promise((r) => setTimeout(r, 500));
    const after = await e.waitForInstance(owner.cookie, instanceId, (i) => i.status === 'connected', 20_000);
    expect(after.phone).toBe(`+${phone}`);
    const state = await e.control.state();
    const devices = state.phones.find((p) => p.phone === phone)?.devices ?? [];
    expect(devices.filter((d) => d.connected)).toHaveLength(1);
    expect((await e.connectionUpdates(instanceId, before)).map((u) => u.status)).not.toContain('qr');
    const metrics = await e.node.registry.getSingleMetricAsString('zap_engine_reconnects_total');
    expect(metrics).toMatch(/kind="backoff"} [1-9]/);
  });
});

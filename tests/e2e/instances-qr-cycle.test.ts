import request from 'supertest';
import { createInstance, signup, type SignedUp } from '../support/factories.js';
import { startEngineApp, type EngineApp } from '../support/engine-app.js';

// A short QR lifetime: 6 codes of 1 s each.
let e: EngineApp;
let owner: SignedUp;

beforeAll(async () => {
  e = await startEngineApp({ env: { QR_TTL_MS: '1000', QR_MAX_ATTEMPTS: '6' } });
  owner = await signup(e.app);
});
afterAll(async () => {
  await e?.close();
});

describe('instances over HTTP: the QR cycle', () => {
  it('expires after 6 unscanned codes, then regenerate-qr starts a new cycle that can be scanned', async () => {
    const { instanceId } = await createInstance(e.app, owner.cookie);
    const first = await e.waitForInstance(owner.cookie, instanceId, (i) => i.status === 'qr' && Boolean(i.qrCode), 3000);
    expect(first.qrCode).toMatchObject({ expiry: 1 });

    const expired = await e.waitForInstance(owner.cookie, instanceId, (i) => i.status === 'disconnected', 30_000);
    expect(expired.statusReason).toBe('qr_expired');
    expect(expired.qrCode).toBeUndefined();
    expect(await e.services.qrCodes.get(instanceId)).toBeNull();

    const updates = await e.connectionUpdates(instanceId);
    expect(updates.filter((u) => u.status === 'qr').map((u) => u.qrCode?.attemptId)).toEqual([
      'qr_attempt_1', 'qr_attempt_2', 'qr_attempt_3', 'qr_attempt_4', 'qr_attempt_5', 'qr_attempt_6',
    ]);
    expect(updates.at(-1)).toMatchObject({ status: 'disconnected', reason: 'qr_expired' });

    // Stays there (no retry loop) until the user asks.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await request(e.app).get(`/whatsapp/instances/${instanceId}`).set('Cookie', owner.cookie)).body.data.status).toBe('disconnected');

    const regen = await request(e.app).post(`/whatsapp/instances/${instanceId}/regenerate-qr`).set('Cookie', owner.cookie);
    expect(regen.status).toBe(200);
    const again = await e.waitForInstance(owner.cookie, instanceId, (i) => i.status === 'qr' && Boolean(i.qrCode), 5000);
    expect(again.qrCode!.attemptId).toBe('qr_attempt_1');
    expect(again.qrCode!.code).not.toBe(first.qrCode!.code);

    await e.control.scan(again.qrCode!.code, '5511987650101');
    const connected = await e.waitForInstance(owner.cookie, instanceId, (i) => i.status === 'connected', 20_000);
    expect(connected.phone).toBe('+5511987650101');
  });
});

import request from 'supertest';
import { ControlApiError } from '../../src/simulator/control/control-client.js';
import { createInstance, signup, type SignedUp } from '../support/factories.js';
import { freshPhone, startEngineApp, type EngineApp, type InstanceView } from '../support/engine-app.js';

// Each QR lives 3 s and a cycle has 6: a pairing code lives about 18 s here (120 s in production).
let e: EngineApp;
let owner: SignedUp;
let stranger: SignedUp;

beforeAll(async () => {
  e = await startEngineApp({ env: { QR_TTL_MS: '3000', QR_MAX_ATTEMPTS: '6' } });
  stranger = await signup(e.app);
});
beforeEach(async () => {
  owner = await signup(e.app); // the starter plan holds one instance: a tenant per test
});
afterAll(async () => {
  await e?.close();
});

const CODE = /^[1-9A-HJ-NP-TV-Z]{4}-[1-9A-HJ-NP-TV-Z]{4}$/;
type PairingView = InstanceView & { pairingCode?: { code: string; expiresAt: string } };

const askCode = (instanceId: string, phone: unknown, cookie = owner.cookie) =>
  request(e.app).post(`/whatsapp/instances/${instanceId}/pairing-code`).set('Cookie', cookie).send({ phone });

const rejection = (promise: Promise<unknown>): Promise<ControlApiError> =>
  promise.then(
    () => {
      throw new Error('expected the control call to fail');
    },
    (err: unknown) => err as ControlApiError,
  );

describe('instances over HTTP: pairing by phone code', () => {
  it('links with the code typed on the phone: same statuses and connection.update events as a QR, then 409', async () => {
    const { instanceId } = await createInstance(e.app, owner.cookie);
    await e.waitForInstance(owner.cookie, instanceId, (i) => i.status === 'qr'); // from `qr`
    const phone = freshPhone();

    const res = await askCode(instanceId, `+${phone.slice(0, 2)} ${phone.slice(2, 4)} ${phone.slice(4)}`);
    expect(res.status).toBe(200);
    const { code, expiresAt } = res.body.data as { code: string; expiresAt: string };
    expect(code).toMatch(CODE);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());

    const waiting = (await e.waitForInstance(owner.cookie, instanceId, (i) => (i as PairingView).pairingCode?.code === code)) as PairingView;
    expect(waiting.status).toBe('qr');
    expect(waiting.pairingCode).toEqual({ code, expiresAt });

    const linked = await e.control.typeLinkCode(phone, code.toLowerCase(), 'Code Phone');
    expect(linked.phone).toBe(phone);
    const connected = (await e.waitForInstance(owner.cookie, instanceId, (i) => i.status === 'connected', 30_000)) as PairingView;
    expect(connected.phone).toBe(`+${phone}`);
    expect(connected.pairingCode).toBeUndefined();
    expect(connected.qrCode).toBeUndefined();

    const updates = await e.connectionUpdates(instanceId);
    const withCode = updates.filter((u) => (u as { pairingCode?: { code: string } }).pairingCode?.code === code);
    expect(withCode.length).toBeGreaterThan(0);
    expect(withCode.every((u) => u.status === 'qr' && u.qrCode)).toBe(true);
    expect(updates.at(-1)).toMatchObject({ status: 'connected', phone: `+${phone}` });

    const again = await askCode(instanceId, phone);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('INSTANCE_ALREADY_CONNECTED');
  });

  it('asking again gives a new code that replaces the old one; a wrong code fails on the phone and changes nothing', async () => {
    const { instanceId } = await createInstance(e.app, owner.cookie);
    const phone = freshPhone();
    const first = (await askCode(instanceId, phone)).body.data.code as string; // from `created` or `qr`
    const second = await askCode(instanceId, phone);
    expect(second.status).toBe(200);
    const code = second.body.data.code as string;
    expect(code).not.toBe(first);

    expect(await rejection(e.control.typeLinkCode(phone, first))).toMatchObject({ status: 400, code: 'wrong_link_code' });
    const still = (await e.waitForInstance(owner.cookie, instanceId, () => true)) as PairingView;
    expect(still.status).toBe('qr');
    expect(still.pairingCode?.code).toBe(code);

    await e.control.typeLinkCode(phone, code);
    const connected = await e.waitForInstance(owner.cookie, instanceId, (i) => i.status === 'connected', 30_000);
    expect(connected.phone).toBe(`+${phone}`);
  });

  it('a code expires with its cycle (qr_expired); asking again then gives a new code that links', async () => {
    const { instanceId } = await createInstance(e.app, owner.cookie);
    const phone = freshPhone();
    const first = (await askCode(instanceId, phone)).body.data as { code: string; expiresAt: string };

    const expired = (await e.waitForInstance(owner.cookie, instanceId, (i) => i.status === 'disconnected', 40_000)) as PairingView;
    expect(expired.statusReason).toBe('qr_expired');
    expect(expired.pairingCode).toBeUndefined();
    expect(await rejection(e.control.typeLinkCode(phone, first.code))).toMatchObject({ status: 404, code: 'no_link_code' });

    const res = await askCode(instanceId, phone);
    expect(res.status).toBe(200);
    expect(res.body.data.code).not.toBe(first.code);
    await e.control.typeLinkCode(phone, res.body.data.code as string);
    const connected = await e.waitForInstance(owner.cookie, instanceId, (i) => i.status === 'connected', 30_000);
    expect(connected.phone).toBe(`+${phone}`);
  });

  it('bad phone numbers are 400, another tenant’s instance is 404, and nothing changes', async () => {
    const { instanceId } = await createInstance(e.app, owner.cookie);
    for (const phone of ['abc', '0011', '12345', '+55 11 9', '1234567890123456', '', undefined, 5511999999999]) {
      const res = await askCode(instanceId, phone);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ success: false, error: { code: 'VALIDATION_FAILED' } });
    }
    const extra = await request(e.app)
      .post(`/whatsapp/instances/${instanceId}/pairing-code`)
      .set('Cookie', owner.cookie)
      .send({ phone: '5511999990000', extra: true });
    expect(extra.status).toBe(400);

    const other = await askCode(instanceId, '5511999990000', stranger.cookie);
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('NOT_FOUND');
    const view = (await e.waitForInstance(owner.cookie, instanceId, () => true)) as PairingView;
    expect(view.pairingCode).toBeUndefined();
  });
});

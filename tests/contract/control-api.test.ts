import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { ControlClient } from '../../src/simulator/control/control-client.js';
import { eventually, pairDevice, silenceSignalChatter, startHarness, type Client, type Harness } from './support/baileys-harness.js';

silenceSignalChatter();

describe('contract: control API shapes (no Baileys)', () => {
  let sim: RunningSimulator;
  let control: ControlClient;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sim.controlUrl}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    sim = await startSimulator({ seed: 'control-api', media: false });
    control = new ControlClient(sim.controlUrl);
  });
  afterAll(async () => {
    await sim.close();
    await sim.close(); // idempotent
  });

  it('startSimulator returns the urls and a hex root key that the seed keeps', async () => {
    expect(sim.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/chat$/);
    expect(sim.controlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/control$/);
    expect(sim.rootPublicKey).toMatch(/^[0-9a-f]{64}$/);
    const again = await startSimulator({ seed: 'control-api', media: false });
    try {
      expect(again.rootPublicKey).toBe(sim.rootPublicKey);
    } finally {
      await again.close();
    }
  });

  it('creates contacts with a stable LID and lists them in the state', async () => {
    const bob = await control.createContact('5511988887777', 'Bob');
    expect(bob).toEqual({ phone: '5511988887777', name: 'Bob', jid: '5511988887777@s.whatsapp.net', lid: expect.stringMatching(/^\d{15}@lid$/) });
    expect((await control.createContact('5511988887777', 'Bobby')).lid).toBe(bob.lid);
    expect(await control.state()).toEqual({ phones: [], contacts: [expect.objectContaining({ phone: '5511988887777', name: 'Bobby', inbox: 0 })] });
    expect(await control.inbox('5511988887777')).toEqual([]);
  });

  it('answers validation errors with { success: false, error: { code, message, details } }', async () => {
    const res = await call('POST', '/contacts', { phone: 'abc' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ success: false, error: { code: 'validation_failed', message: 'invalid request body', details: expect.any(Object) } });
    expect((await call('POST', '/contacts', '{not json')).body).toMatchObject({ error: { code: 'invalid_json' } });
    expect((await call('POST', '/contacts/5511988887777/messages', { to: '5511900000000', text: 'a', media: { type: 'image', dataBase64: 'AA' } })).status).toBe(400);
    for (const after of ['abc', '-1', '1.5', '']) {
      expect(await call('GET', `/contacts/5511988887777/inbox?after=${after}`)).toEqual({
        status: 400,
        body: { success: false, error: { code: 'validation_failed', message: 'invalid query', details: expect.any(Object) } },
      });
    }
  });

  it('answers unknown things with 404 and wrong methods with 405', async () => {
    expect(await call('GET', '/contacts/5511000000000/inbox')).toEqual({ status: 404, body: { success: false, error: { code: 'contact_not_found', message: expect.any(String) } } });
    expect((await call('POST', '/contacts/5511988887777/messages', { to: '5511900000000', text: 'hi' })).body).toMatchObject({ error: { code: 'phone_not_linked' } });
    expect((await call('POST', '/phones/5511900000000/kick', { reason: 'network' })).status).toBe(404);
    expect((await call('POST', '/phones/5511900000000/kick', { reason: 'nope' })).status).toBe(400);
    expect((await call('DELETE', '/state')).status).toBe(405);
    expect((await call('GET', '/nothing')).status).toBe(404);
    expect((await call('POST', '/scan', { qr: 'https://wa.me/settings/linked_devices#2@x,a,b,c,1', phone: '5511900000000' })).body).toMatchObject({ error: { code: 'qr_not_found' } });
  });

  it('stores history and faults for a phone', async () => {
    expect(await control.history('5511900000000', { contacts: [{ phone: '5511988887777', name: 'Bob' }] })).toEqual({ ok: true });
    expect(await control.faults('5511900000000', { nextAckError: 479, ackDelayMs: 10 })).toEqual({ faults: { nextAckError: 479, ackDelayMs: 10 } });
    expect(await control.faults('5511900000000', { nextAckError: null })).toEqual({ faults: { ackDelayMs: 10 } });
  });
});

describe('contract: inbox entries carry receivedAt and page with ?after=n', () => {
  const PHONE = '5511944440000';
  const DANA = '5511955550000';
  let h: Harness;
  let client: Client;

  beforeAll(async () => {
    h = await startHarness();
    await h.control.createContact(DANA, 'Dana');
    client = await pairDevice(h, PHONE, 'Alice');
  });
  afterAll(async () => {
    client?.end();
    await h.close();
  });

  it('stamps each entry with the ms it was decrypted, and `after` skips the entries the caller already has', async () => {
    const before = Date.now();
    for (const text of ['one', 'two', 'three']) await client.sock.sendMessage(`${DANA}@s.whatsapp.net`, { text });
    await eventually(async () => expect(await h.control.inbox(DANA)).toHaveLength(3), 10_000);
    const all = await h.control.inbox(DANA);
    const received = all.map((e) => e.receivedAt);
    expect(received.every((t) => t >= before && t <= Date.now())).toBe(true);
    expect([...received].sort((a, b) => a - b)).toEqual(received);
    expect(all.map((e) => Math.floor(e.receivedAt / 1000) - e.timestamp).every((d) => d >= 0 && d <= 1)).toBe(true);

    expect(await h.control.inbox(DANA, 0)).toEqual(all);
    expect((await h.control.inbox(DANA, 1)).map((e) => e.text)).toEqual(['two', 'three']);
    expect(await h.control.inbox(DANA, 3)).toEqual([]);
    expect(await h.control.inbox(DANA, 50)).toEqual([]);
  });
});

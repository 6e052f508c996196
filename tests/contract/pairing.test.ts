import { DisconnectReason } from '@whiskeysockets/baileys';
import { Client, memoryAuth, pairDevice, silenceSignalChatter, startHarness, statusOf, type Harness } from './support/baileys-harness.js';

silenceSignalChatter();

describe('contract: transport, pairing and login', () => {
  let h: Harness;
  const clients: Client[] = [];
  beforeAll(async () => {
    h = await startHarness();
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.end();
  });
  afterAll(async () => {
    await h.close();
  });

  it('shows a QR from pair-device refs, pairs on scan, restarts with 515 and opens with the same creds', async () => {
    const client = new Client(h.sim, memoryAuth());
    clients.push(client);
    client.connect();
    const { qr } = await client.waitFor('connection.update', (u) => !!u.qr);
    expect(qr).toMatch(/^https:\/\/wa\.me\/settings\/linked_devices#2@[^,]+,[^,]+,[^,]+,[^,]+,\d+$/);

    const linked = await h.control.scan(qr!, '5511900000001', 'Alice Phone');
    expect(linked.jid).toBe('5511900000001:1@s.whatsapp.net');
    expect(linked.lid).toMatch(/^\d{15}:1@lid$/);

    await client.waitFor('connection.update', (u) => u.isNewLogin === true);
    const closed = await client.waitForClose();
    expect(statusOf(closed)).toBe(DisconnectReason.restartRequired);
    expect(client.auth.creds.me?.id).toBe(linked.jid);
    expect(client.auth.creds.me?.lid).toBe(linked.lid);
    expect(client.auth.creds.account?.accountSignatureKey).toBeDefined();
    expect(client.auth.creds.platform).toBe('smba');

    const mark = client.mark();
    client.connect();
    await client.waitForOpen(mark);
    await client.waitFor('connection.update', (u) => u.receivedPendingNotifications === true, 10_000, mark);

    const state = await h.control.state();
    const phone = state.phones.find((p) => p.phone === '5511900000001');
    expect(phone?.devices).toEqual([expect.objectContaining({ id: 1, connected: true, preKeys: expect.any(Number) })]);
    expect(phone!.devices[0]!.preKeys).toBeGreaterThanOrEqual(800); // 812 uploaded on first login
  });

  it('logs in again with saved credentials without a QR', async () => {
    const first = await pairDevice(h, '5511900000002');
    clients.push(first);
    first.end();
    await first.waitForClose();

    const again = new Client(h.sim, first.auth);
    clients.push(again);
    again.connect();
    await again.waitForOpen();
    expect(again.events.some((e) => e.name === 'connection.update' && !!(e.data as { qr?: string }).qr)).toBe(false);
    const state = await h.control.state();
    expect(state.phones.find((p) => p.phone === '5511900000002')?.devices[0]?.connected).toBe(true);
  });

  it('kicks the older connection with conflict/replaced (440) when the same device connects again', async () => {
    const first = await pairDevice(h, '5511900000003');
    clients.push(first);
    const second = new Client(h.sim, first.auth);
    clients.push(second);
    const mark = first.mark();
    second.connect();
    await second.waitForOpen();
    const closed = await first.waitForClose(mark);
    expect(statusOf(closed)).toBe(DisconnectReason.connectionReplaced);
  });

  it('gives 6 QR refs per cycle; Baileys rotates them (qrTimeout) and closes with 408 when they run out', async () => {
    const client = new Client(h.sim, memoryAuth(), { qrTimeout: 150 });
    clients.push(client);
    client.connect();
    const closed = await client.waitForClose();
    expect(statusOf(closed)).toBe(DisconnectReason.timedOut);
    const qrs = client.events.filter((e) => e.name === 'connection.update' && (e.data as { qr?: string }).qr);
    expect(qrs).toHaveLength(6);
    expect(new Set(qrs.map((e) => (e.data as { qr: string }).qr.split(',')[0])).size).toBe(6);
  });

  it('rejects a scan of an unknown QR with the error shape', async () => {
    await expect(h.control.scan('https://wa.me/settings/linked_devices#2@nope,a,b,c,1', '5511900000009')).rejects.toMatchObject({
      status: 404,
      code: 'qr_not_found',
    });
  });
});

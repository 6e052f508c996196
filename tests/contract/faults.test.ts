import { DisconnectReason, proto } from '@whiskeysockets/baileys';
import { Client, pairDevice, silenceSignalChatter, startHarness, statusOf, type Harness } from './support/baileys-harness.js';

silenceSignalChatter();

const ERIN = '5511966660000';
const jid = (n: string) => `${n}@s.whatsapp.net`;

describe('contract: faults on demand', () => {
  let h: Harness;
  const clients: Client[] = [];
  let seq = 0;
  const phoneNumber = () => `55119777${String(++seq).padStart(5, '0')}`;

  beforeAll(async () => {
    h = await startHarness();
    await h.control.createContact(ERIN, 'Erin');
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.end();
  });
  afterAll(async () => {
    await h.close();
  });

  it.each([
    ['logged_out', DisconnectReason.loggedOut],
    ['banned', DisconnectReason.forbidden],
    ['replaced', DisconnectReason.connectionReplaced],
    ['restart', DisconnectReason.restartRequired],
    ['unavailable', DisconnectReason.unavailableService],
    ['network', DisconnectReason.connectionClosed],
  ] as const)('kick %s closes the socket with status %i', async (reason, status) => {
    const phone = phoneNumber();
    const client = await pairDevice(h, phone);
    clients.push(client);
    const mark = client.mark();
    const { kicked } = await h.control.kick(phone, reason);
    expect(kicked).toEqual([`${phone}:1@s.whatsapp.net`]);
    const closed = await client.waitForClose(mark);
    expect(statusOf(closed)).toBe(status);
  });

  it('after logged_out the saved credentials are refused with 401; after banned with 403', async () => {
    for (const [reason, status] of [
      ['logged_out', DisconnectReason.loggedOut],
      ['banned', DisconnectReason.forbidden],
    ] as const) {
      const phone = phoneNumber();
      const client = await pairDevice(h, phone);
      clients.push(client);
      let mark = client.mark();
      await h.control.kick(phone, reason);
      await client.waitForClose(mark);
      mark = client.mark();
      client.connect();
      const closed = await client.waitForClose(mark);
      expect(statusOf(closed)).toBe(status);
    }
  });

  it('after restart (515) and network drops the same credentials log in again', async () => {
    const phone = phoneNumber();
    const client = await pairDevice(h, phone);
    clients.push(client);
    for (const reason of ['restart', 'network'] as const) {
      let mark = client.mark();
      await h.control.kick(phone, reason);
      await client.waitForClose(mark);
      mark = client.mark();
      client.connect();
      await client.waitForOpen(mark);
    }
  });

  it('nextAckError: the next send gets an error ack → messages.update ERROR with the code; the one after is fine', async () => {
    const phone = phoneNumber();
    const client = await pairDevice(h, phone);
    clients.push(client);
    // delayed past Baileys' 100 ms event buffer; an immediate error ack is folded into the append upsert
    await h.control.faults(phone, { nextAckError: 479, ackDelayMs: 300 });
    const mark = client.mark();
    const failed = await client.sock.sendMessage(jid(ERIN), { text: 'will fail' });
    const update = await client.waitFor('messages.update', (u) => u.some((x) => x.key.id === failed!.key.id && x.update.status === proto.WebMessageInfo.Status.ERROR), 5000, mark);
    expect(update.find((x) => x.key.id === failed!.key.id)?.update.messageStubParameters).toEqual(['479']);
    const inbox = await h.control.inbox(ERIN);
    expect(inbox.some((i) => i.id === failed!.key.id)).toBe(false);

    await h.control.faults(phone, { ackDelayMs: 0 });
    const ok = await client.sock.sendMessage(jid(ERIN), { text: 'fine' });
    for (let i = 0; i < 50 && !(await h.control.inbox(ERIN)).some((x) => x.id === ok!.key.id); i++) await new Promise((r) => setTimeout(r, 50));
    expect((await h.control.inbox(ERIN)).some((x) => x.id === ok!.key.id)).toBe(true);
  });

  it('messages sent while the device is offline are delivered at the next login (offline, before ib offline)', async () => {
    const phone = phoneNumber();
    const client = await pairDevice(h, phone);
    clients.push(client);
    client.end();
    await client.waitForClose();
    for (let i = 0; i < 50 && (await h.control.state()).phones.find((p) => p.phone === phone)?.devices[0]?.connected; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const { id } = await h.control.sendFromContact(ERIN, { to: phone, text: 'while you were away' });
    expect((await h.control.state()).phones.find((p) => p.phone === phone)?.devices[0]?.pending).toBe(1);
    const mark = client.mark();
    client.connect();
    const upsert = await client.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === id), 10_000, mark);
    expect(upsert.type).toBe('append'); // Baileys marks messages flagged offline as 'append'
    expect(upsert.messages.find((m) => m.key.id === id)?.message?.conversation).toBe('while you were away');
  });
});

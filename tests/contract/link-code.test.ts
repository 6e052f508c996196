import { DisconnectReason } from '@whiskeysockets/baileys';
import { ControlApiError } from '../../src/simulator/control/control-client.js';
import { Client, memoryAuth, silenceSignalChatter, startHarness, statusOf, type Harness } from './support/baileys-harness.js';

silenceSignalChatter();

/** Connects a fresh companion and asks for a link code the way hosts do: once the first QR shows. */
async function requestCode(h: Harness, phone: string): Promise<{ client: Client; code: string }> {
  const client = new Client(h.sim, memoryAuth());
  client.connect();
  await client.waitFor('connection.update', (u) => !!u.qr);
  const code = await client.sock.requestPairingCode(phone);
  return { client, code };
}

const rejection = (promise: Promise<unknown>): Promise<ControlApiError> =>
  promise.then(
    () => {
      throw new Error('expected the control call to fail');
    },
    (err: unknown) => err as ControlApiError,
  );

describe('contract: pairing by phone code (requestPairingCode, link_code_companion_reg)', () => {
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

  it('links with the typed code: primary_hello, companion_finish, pair-success, 515, then login with the same creds', async () => {
    const { client, code } = await requestCode(h, '5511920000001');
    clients.push(client);
    expect(code).toMatch(/^[1-9A-HJ-NP-TV-Z]{8}$/);

    const typed = `${code.slice(0, 4)}-${code.slice(4).toLowerCase()}`; // as a person types it
    const linked = await h.control.typeLinkCode('5511920000001', typed, 'Code Phone');
    expect(linked).toEqual({ phone: '5511920000001', jid: '5511920000001:1@s.whatsapp.net', lid: expect.stringMatching(/^\d{15}:1@lid$/) });

    await client.waitFor('connection.update', (u) => u.isNewLogin === true);
    const closed = await client.waitForClose();
    expect(statusOf(closed)).toBe(DisconnectReason.restartRequired);
    expect(client.auth.creds.registered).toBe(true);
    expect(client.auth.creds.me?.id).toBe(linked.jid);
    expect(client.auth.creds.account?.accountSignatureKey).toBeDefined();

    const mark = client.mark();
    client.connect();
    await client.waitForOpen(mark);
    const state = await h.control.state();
    expect(state.phones.find((p) => p.phone === '5511920000001')?.devices).toEqual([expect.objectContaining({ id: 1, connected: true })]);
  });

  it('a wrong code fails as the phone reports it, leaves the companion unpaired, and the right code still links', async () => {
    const { client, code } = await requestCode(h, '5511920000002');
    clients.push(client);
    const wrong = code.startsWith('A') ? `B${code.slice(1)}` : `A${code.slice(1)}`;

    const err = await rejection(h.control.typeLinkCode('5511920000002', wrong));
    expect(err).toMatchObject({ status: 400, code: 'wrong_link_code' });
    expect(client.auth.creds.registered).toBe(false);
    expect((await h.control.state()).phones.find((p) => p.phone === '5511920000002')?.devices ?? []).toEqual([]);
    expect(client.events.some((e) => e.name === 'connection.update' && (e.data as { connection?: string }).connection === 'close')).toBe(false);

    await h.control.typeLinkCode('5511920000002', code);
    const closed = await client.waitForClose();
    expect(statusOf(closed)).toBe(DisconnectReason.restartRequired);
    expect(client.auth.creds.registered).toBe(true);
  });

  it('asking again gives a new code that replaces the old one', async () => {
    const { client, code: first } = await requestCode(h, '5511920000003');
    clients.push(client);
    const second = await client.sock.requestPairingCode('5511920000003');
    expect(second).not.toBe(first);
    expect(await rejection(h.control.typeLinkCode('5511920000003', first))).toMatchObject({ status: 400, code: 'wrong_link_code' });
    await h.control.typeLinkCode('5511920000003', second);
    expect(statusOf(await client.waitForClose())).toBe(DisconnectReason.restartRequired);
  });

  it('answers 404 when no companion asked for that number, and 400 for a malformed code', async () => {
    expect(await rejection(h.control.typeLinkCode('5511920000099', 'ABCD-EFGH'))).toMatchObject({ status: 404, code: 'no_link_code' });
    expect(await rejection(h.control.typeLinkCode('5511920000099', 'ABC'))).toMatchObject({ status: 400, code: 'validation_failed' });
  });
});

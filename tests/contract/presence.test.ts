import { Client, eventually, pairDevice, silenceSignalChatter, startHarness, type Harness } from './support/baileys-harness.js';

silenceSignalChatter();

const PHONE = '5511930000000';
const DORA = '5511931110000';
const EVE = '5511932220000';
const jid = (n: string) => `${n}@s.whatsapp.net`;

describe('contract: presence (sendPresenceUpdate, presenceSubscribe, contacts pushing presence)', () => {
  let h: Harness;
  let client: Client;

  beforeAll(async () => {
    h = await startHarness();
    await h.control.createContact(DORA, 'Dora');
    await h.control.createContact(EVE, 'Eve');
    client = await pairDevice(h, PHONE, 'Alice');
    // Baileys skips available/unavailable without a push name (it comes from the app state: updateProfileName)
    await client.sock.updateProfileName('Alice');
    expect(client.auth.creds.me?.name).toBe('Alice');
  });
  afterAll(async () => {
    client?.end();
    await h.close();
  });

  it("the device's available/unavailable becomes the number's presence, with its push name", async () => {
    await client.sock.sendPresenceUpdate('available');
    await eventually(async () => expect((await h.control.phonePresence(PHONE)).state).toBe('available'));
    await client.sock.sendPresenceUpdate('unavailable');
    await eventually(async () => {
      const presence = await h.control.phonePresence(PHONE);
      expect(presence.state).toBe('unavailable');
      expect(presence.log.map((e) => e.state)).toEqual(['available', 'unavailable']); // none at login: no push name yet
      expect(presence.log.at(-1)).toMatchObject({ device: `${PHONE}:1@s.whatsapp.net`, name: 'Alice' });
    });
  });

  it('chat states the device sends (composing, recording, paused) reach the contact', async () => {
    for (const state of ['composing', 'recording', 'paused'] as const) await client.sock.sendPresenceUpdate(state, jid(DORA));
    await eventually(async () =>
      expect((await h.control.presenceReceived(DORA)).map((p) => [p.from, p.state])).toEqual([
        [PHONE, 'composing'],
        [PHONE, 'recording'],
        [PHONE, 'paused'],
      ]),
    );
  });

  it('presenceSubscribe gets the contact’s current presence at once, then its changes; unsubscribed contacts stay silent', async () => {
    await h.control.presence(DORA, PHONE, 'available');
    let mark = client.mark();
    const eveBefore = await h.control.presence(EVE, PHONE, 'available');
    expect(eveBefore.delivered).toBe(0); // nobody subscribed to Eve

    await client.sock.presenceSubscribe(jid(DORA));
    const first = await client.waitFor('presence.update', (u) => u.id === jid(DORA), 5000, mark);
    expect(first.presences[jid(DORA)]).toMatchObject({ lastKnownPresence: 'available' });
    await eventually(async () => expect((await h.control.phonePresence(PHONE)).subscribedTo).toEqual([DORA]));

    mark = client.mark();
    const pushed = await h.control.presence(DORA, PHONE, 'unavailable');
    expect(pushed.delivered).toBe(1);
    const offline = await client.waitFor('presence.update', (u) => u.id === jid(DORA), 5000, mark);
    expect(offline.presences[jid(DORA)]).toMatchObject({ lastKnownPresence: 'unavailable', lastSeen: expect.any(Number) });
    expect(client.events.slice(mark).some((e) => e.name === 'presence.update' && (e.data as { id: string }).id === jid(EVE))).toBe(false);

    mark = client.mark();
    await h.control.presence(EVE, PHONE, 'composing'); // chat states need no subscription
    const typing = await client.waitFor('presence.update', (u) => u.id === jid(EVE), 5000, mark);
    expect(typing.presences[jid(EVE)]?.lastKnownPresence).toBe('composing');
  });

  it('a subscription by LID gets the pushes from the LID jid', async () => {
    const eveLid = (await h.control.createContact(EVE, 'Eve')).lid;
    let mark = client.mark();
    await client.sock.presenceSubscribe(eveLid);
    await client.waitFor('presence.update', (u) => u.id === eveLid, 5000, mark);
    mark = client.mark();
    expect((await h.control.presence(EVE, PHONE, 'unavailable')).delivered).toBe(1);
    const update = await client.waitFor('presence.update', (u) => u.id === eveLid, 5000, mark);
    expect(update.presences[eveLid]?.lastKnownPresence).toBe('unavailable');
  });

  it('control API: 404 for an unknown linked number, 400 for a bad state', async () => {
    await expect(h.control.phonePresence('5500000000002')).rejects.toMatchObject({ status: 404, code: 'phone_not_found' });
    await expect(h.control.presence(DORA, PHONE, 'dancing' as 'composing')).rejects.toMatchObject({ status: 400, code: 'validation_failed' });
  });
});

import type { WAMessage } from '@whiskeysockets/baileys';
import { ControlApiError } from '../../src/simulator/control/control-client.js';
import { Client, eventually, pairDevice, silenceSignalChatter, startHarness, type Harness } from './support/baileys-harness.js';

silenceSignalChatter();

const PHONE = '5511914140000';
const BOB = '5511924240000';
const CAROL = '5511934340000';
const DAVE = '5511944440000';
const jid = (n: string) => `${n}@s.whatsapp.net`;

const upserted = (client: Client, predicate: (m: WAMessage) => boolean, from = 0) =>
  client.waitFor('messages.upsert', (u) => u.messages.some(predicate), 10_000, from).then((u) => u.messages.find(predicate)!);

describe('contract: groups between a linked device and contacts', () => {
  let h: Harness;
  let client: Client;
  let group: string;

  beforeAll(async () => {
    h = await startHarness();
    await h.control.createContact(BOB, 'Bob');
    await h.control.createContact(CAROL, 'Carol');
    await h.control.createContact(DAVE, 'Dave');
    client = await pairDevice(h, PHONE, 'Alice');
  });
  afterAll(async () => {
    client?.end();
    await h.close();
  });

  it('a contact creates a group with the phone: Baileys emits groups.upsert with the members and admins', async () => {
    const mark = client.mark();
    const created = await h.control.createGroup({ creator: BOB, subject: 'Weekend trip', participants: [PHONE, CAROL], description: 'plans' });
    group = created.jid;
    expect(group).toMatch(/^120363\d{12}@g\.us$/);

    const [upsert] = await client.waitFor('groups.upsert', (g) => g.some((x) => x.id === group), 10_000, mark);
    expect(upsert).toMatchObject({ id: group, subject: 'Weekend trip', owner: jid(BOB), desc: 'plans', author: jid(BOB), size: 3 });
    expect(upsert!.participants).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: jid(BOB), admin: 'superadmin' }),
        expect.objectContaining({ id: jid(PHONE), admin: null }),
        expect.objectContaining({ id: jid(CAROL), admin: null }),
      ]),
    );
    await client.waitFor('chats.upsert', (chats) => chats.some((c) => c.id === group && c.name === 'Weekend trip'), 5_000, mark);

    await expect(h.control.createGroup({ creator: BOB, subject: 'x', participants: ['5511900000009'] })).rejects.toMatchObject({ status: 404, code: 'participant_not_found' });
    await expect(h.control.createGroup({ creator: BOB, subject: '', participants: [] })).rejects.toMatchObject({ status: 400, code: 'validation_failed' });
    await expect(h.control.sendToGroup(group, { from: DAVE, text: 'not a member yet' })).rejects.toMatchObject({ status: 403, code: 'not_a_participant' });
  });

  it('the device reads the group from the server: groupMetadata and groupFetchAllParticipating', async () => {
    const metadata = await client.sock.groupMetadata(group);
    expect(metadata).toMatchObject({ id: group, subject: 'Weekend trip', owner: jid(BOB), addressingMode: 'pn' });
    expect(metadata.participants.map((p) => p.id).sort()).toEqual([jid(BOB), jid(CAROL), jid(PHONE)].sort());
    expect(metadata.participants.find((p) => p.id === jid(CAROL))?.lid).toMatch(/@lid$/);

    const all = await client.sock.groupFetchAllParticipating();
    expect(Object.keys(all)).toEqual([group]);
    await expect(client.sock.groupMetadata('120363000000000000@g.us')).rejects.toThrow();
  });

  it('a rename becomes groups.update; an added member becomes group-participants.update', async () => {
    const mark = client.mark();
    await h.control.updateGroup(group, { by: BOB, subject: 'Beach weekend' });
    const [update] = await client.waitFor('groups.update', (u) => u.some((g) => g.id === group && g.subject === 'Beach weekend'), 10_000, mark);
    expect(update).toMatchObject({ id: group, subject: 'Beach weekend', author: jid(BOB) });

    await h.control.groupParticipants(group, { by: BOB, action: 'add', participants: [DAVE] });
    const added = await client.waitFor('group-participants.update', (u) => u.id === group && u.action === 'add', 10_000, mark);
    expect(added.participants.map((p) => p.id)).toEqual([jid(DAVE)]);
    expect(added.author).toBe(jid(BOB));

    // only admins change members
    await expect(h.control.groupParticipants(group, { by: CAROL, action: 'remove', participants: [DAVE] })).rejects.toMatchObject({
      status: 403,
      code: 'not_an_admin',
    } satisfies Partial<ControlApiError>);
  });

  it('contact → group: Baileys decrypts the sender key message (skmsg after the pkmsg SKDM), then the next one', async () => {
    let mark = client.mark();
    const { id } = await h.control.sendToGroup(group, { from: CAROL, text: 'who brings the umbrella?' });
    const first = await upserted(client, (m) => m.key.id === id, mark);
    expect(first.key).toMatchObject({ remoteJid: group, participant: jid(CAROL), fromMe: false });
    expect(first.key.participantAlt).toMatch(/@lid$/);
    expect(first.message?.conversation).toBe('who brings the umbrella?');
    expect(first.message?.senderKeyDistributionMessage?.groupId).toBe(group);
    expect(first.pushName).toBe('Carol');

    mark = client.mark();
    const second = await h.control.sendToGroup(group, { from: CAROL, text: 'I do' });
    const next = await upserted(client, (m) => m.key.id === second.id, mark);
    expect(next.message?.conversation).toBe('I do');
    expect(next.message?.senderKeyDistributionMessage).toBeFalsy(); // the device already holds Carol's key
    // the device's receipt names the sender
    await eventually(async () => expect((await h.control.receiptsReceived(CAROL)).map((r) => r.id)).toEqual(expect.arrayContaining([id, second.id])));
  });

  it('device → group: every member contact decrypts the SKDM and the skmsg into its inbox', async () => {
    const sent = await client.sock.sendMessage(group, { text: 'see you all at 9' });
    for (const member of [BOB, CAROL, DAVE]) {
      await eventually(async () => {
        const inbox = await h.control.inbox(member);
        expect(inbox).toEqual(expect.arrayContaining([expect.objectContaining({ id: sent!.key.id, from: PHONE, group, type: 'text', text: 'see you all at 9' })]));
      });
    }
    const again = await client.sock.sendMessage(group, { text: 'second call' });
    await eventually(async () => {
      for (const member of [BOB, CAROL, DAVE]) {
        expect((await h.control.inbox(member)).find((m) => m.id === again!.key.id)).toMatchObject({ group, text: 'second call' });
      }
    });
    expect((await h.control.phoneSent(PHONE)).find((c) => c.id === sent!.key.id)?.destinationJid).toBe(group);
  });

  it('a removed member no longer receives; the device creates and renames its own group', async () => {
    const mark = client.mark();
    await h.control.groupParticipants(group, { by: BOB, action: 'remove', participants: [DAVE] });
    await client.waitFor('group-participants.update', (u) => u.id === group && u.action === 'remove', 10_000, mark);
    const sent = await client.sock.sendMessage(group, { text: 'without dave' });
    await eventually(async () => expect((await h.control.inbox(BOB)).map((m) => m.id)).toContain(sent!.key.id));
    expect((await h.control.inbox(DAVE)).map((m) => m.id)).not.toContain(sent!.key.id);
    // after the removal the contacts start new chains, and the device still decrypts them
    const { id } = await h.control.sendToGroup(group, { from: BOB, text: 'fresh key' });
    expect((await upserted(client, (m) => m.key.id === id, mark)).message?.conversation).toBe('fresh key');

    const own = await client.sock.groupCreate('Family', [jid(BOB), jid(CAROL)]);
    expect(own).toMatchObject({ subject: 'Family', owner: jid(PHONE) });
    expect((await h.control.group(own.id)).participants).toEqual(
      expect.arrayContaining([expect.objectContaining({ phone: PHONE, admin: 'superadmin' }), expect.objectContaining({ phone: BOB, admin: null })]),
    );
    await client.sock.groupUpdateSubject(own.id, 'Family ❤');
    expect((await h.control.group(own.id)).subject).toBe('Family ❤');
    const [result] = await client.sock.groupParticipantsUpdate(own.id, [jid(DAVE)], 'add');
    expect(result).toMatchObject({ status: '200', jid: jid(DAVE) });
  });

  it('while the device is offline, group changes and messages wait and arrive at the next login', async () => {
    client.end();
    await eventually(async () => expect((await h.control.state()).phones[0]?.devices[0]?.connected).toBe(false));
    const offline = await h.control.createGroup({ creator: CAROL, subject: 'Late news', participants: [PHONE, BOB] });
    const { id } = await h.control.sendToGroup(offline.jid, { from: CAROL, text: 'sent while you were away' });

    client = new Client(h.sim, client.auth);
    client.connect();
    await client.waitFor('groups.upsert', (g) => g.some((x) => x.id === offline.jid && x.subject === 'Late news'), 15_000);
    const msg = await upserted(client, (m) => m.key.id === id);
    expect(msg.key).toMatchObject({ remoteJid: offline.jid, participant: jid(CAROL) });
    expect(msg.message?.conversation).toBe('sent while you were away');
  });
});

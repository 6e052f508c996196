import { decryptPollVote, jidNormalizedUser, type WAMessage } from '@whiskeysockets/baileys';
import { lidJid, lidUserFor } from '../../src/simulator/state/accounts.js';
import { Client, pairDevice, silenceSignalChatter, startHarness, type Harness } from './support/baileys-harness.js';

silenceSignalChatter();

/*
 * LID and phone, both ways: every way the simulator tells Baileys a contact's LID↔phone pair (sender_lid /
 * sender_pn on stanzas, usync's lid protocol, the server's linked-profiles notification, history sync), and a
 * contact moving from phone to LID addressing in the middle of a conversation.
 */

const PHONE = '5511981810000';
const DAVE = '5511982820000';
const ERIN = '5511983830000';
const FRANK = '5511984840000';
const GINA = '5511985850000';
const jid = (n: string) => `${n}@s.whatsapp.net`;

const upserted = (client: Client, predicate: (m: WAMessage) => boolean, from = 0) =>
  client.waitFor('messages.upsert', (u) => u.messages.some(predicate), 10_000, from).then((u) => u.messages.find(predicate)!);

const inboxEntry = async (h: Harness, contact: string, id: string) => {
  for (let i = 0; i < 200; i++) {
    const found = (await h.control.inbox(contact)).find((e) => e.id === id);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${id} never reached the inbox of ${contact}`);
};

describe('contract: LID addressing and PN↔LID mappings', () => {
  let h: Harness;
  let client: Client;
  let daveLid: string;

  beforeAll(async () => {
    h = await startHarness();
    daveLid = (await h.control.createContact(DAVE, 'Dave')).lid;
    await h.control.createContact(ERIN, 'Erin');
    await h.control.createContact(FRANK, 'Frank');
    client = await pairDevice(h, PHONE, 'Alice');
  });
  afterAll(async () => {
    client?.end();
    await h.close();
  });

  const lidMapping = () => client.sock.signalRepository.lidMapping;

  it('a PN-addressed contact: sender_lid becomes key.remoteJidAlt and Baileys stores the pair', async () => {
    const mark = client.mark();
    const { id } = await h.control.sendFromContact(DAVE, { to: PHONE, text: 'hi, phone here' });
    const msg = await upserted(client, (m) => m.key.id === id, mark);
    expect(msg.key).toMatchObject({ remoteJid: jid(DAVE), remoteJidAlt: daveLid, addressingMode: 'pn', fromMe: false });
    expect(await lidMapping().getLIDForPN(jid(DAVE))).toBe(daveLid);
    // the store answers phone jids with a device part (`…:0@s.whatsapp.net`)
    expect(jidNormalizedUser((await lidMapping().getPNForLID(daveLid))!)).toBe(jid(DAVE));
  });

  it('the contact moves to LID addressing mid-conversation: messages then come from its LID with sender_pn', async () => {
    const before = (await client.sock.sendMessage(jid(DAVE), { text: 'before the switch' }))!;
    await inboxEntry(h, DAVE, before.key.id!);

    expect(await h.control.setAddressing(DAVE, 'lid')).toMatchObject({ phone: DAVE, lid: daveLid, addressing: 'lid' });
    expect((await h.control.state()).contacts.find((c) => c.phone === DAVE)?.addressing).toBe('lid');

    let mark = client.mark();
    const { id } = await h.control.sendFromContact(DAVE, { to: PHONE, text: 'now by LID', quotedId: before.key.id! });
    const msg = await upserted(client, (m) => m.key.id === id, mark);
    expect(msg.key).toMatchObject({ remoteJid: daveLid, remoteJidAlt: jid(DAVE), addressingMode: 'lid', fromMe: false });
    expect(msg.message?.extendedTextMessage?.contextInfo?.stanzaId).toBe(before.key.id);
    expect(msg.pushName).toBe('Dave');

    // every later kind follows the contact's addressing: a reaction, and a receipt from the LID
    mark = client.mark();
    await h.control.react(DAVE, PHONE, before.key.id!, '👍');
    const [reaction] = await client.waitFor('messages.reaction', (r) => r.some((x) => x.key.id === before.key.id), 10_000, mark);
    expect(reaction!.reaction.key).toMatchObject({ remoteJid: daveLid });

    mark = client.mark();
    await h.control.receipts(DAVE, PHONE, [before.key.id!], 'read');
    const updates = await client.waitFor('messages.update', (u) => u.some((x) => x.key.id === before.key.id && x.update.status !== undefined), 10_000, mark);
    expect(updates.find((x) => x.key.id === before.key.id)?.key.remoteJid).toBe(daveLid);
  });

  it("a vote in the LID-addressed chat: keys name the LIDs and the vote key is derived from them", async () => {
    const poll = (await client.sock.sendMessage(jid(DAVE), { poll: { name: 'LID poll', values: ['x', 'y'], selectableCount: 1 } }))!;
    await inboxEntry(h, DAVE, poll.key.id!);
    const mark = client.mark();
    const { id } = await h.control.vote(DAVE, PHONE, { pollId: poll.key.id!, options: ['y'] });
    const vote = await upserted(client, (m) => m.key.id === id, mark);
    expect(vote.key).toMatchObject({ remoteJid: daveLid, remoteJidAlt: jid(DAVE) });
    const meLid = jidNormalizedUser(client.sock.user!.lid!);
    const opened = decryptPollVote(vote.message!.pollUpdateMessage!.vote!, {
      pollCreatorJid: meLid,
      pollMsgId: poll.key.id!,
      pollEncKey: poll.message!.messageContextInfo!.messageSecret!,
      voterJid: daveLid,
    });
    expect(opened.selectedOptions).toHaveLength(1);
  });

  it("the device writing to the phone of a LID-addressed contact reaches that contact (and so does writing to its LID)", async () => {
    const byPhone = (await client.sock.sendMessage(jid(DAVE), { text: 'to your phone' }))!;
    const entry = await inboxEntry(h, DAVE, byPhone.key.id!);
    expect(entry).toMatchObject({ from: PHONE, text: 'to your phone' });
    // Baileys rc14 addresses the phone jid it was given (its Signal session lives under the LID); the server routes it
    expect(entry.to).toBe(jid(DAVE));

    const byLid = (await client.sock.sendMessage(daveLid, { text: 'to your LID' }))!;
    expect(await inboxEntry(h, DAVE, byLid.key.id!)).toMatchObject({ from: PHONE, to: daveLid, text: 'to your LID' });

    await h.control.setAddressing(DAVE, 'pn');
    const mark = client.mark();
    const { id } = await h.control.sendFromContact(DAVE, { to: PHONE, text: 'phone again' });
    expect((await upserted(client, (m) => m.key.id === id, mark)).key).toMatchObject({ remoteJid: jid(DAVE), remoteJidAlt: daveLid });
  });

  it("the server's linked-profiles announcement becomes lid-mapping.update and lands in Baileys' store", async () => {
    const mark = client.mark();
    const announced = await h.control.announceLid(ERIN, PHONE);
    expect(announced).toMatchObject({ pn: jid(ERIN), devices: 1 });
    const update = await client.waitFor('lid-mapping.update', (u) => u.pn === jid(ERIN), 10_000, mark);
    expect(update).toEqual({ lid: announced.lid, pn: jid(ERIN) });
    expect(jidNormalizedUser((await lidMapping().getPNForLID(announced.lid))!)).toBe(jid(ERIN));

    await expect(h.control.announceLid(ERIN, '5511900000000')).rejects.toMatchObject({ status: 404 });
    await expect(h.control.setAddressing(ERIN, 'email' as never)).rejects.toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it("usync answers carry the LID: Baileys looks up an unknown phone's LID (lid protocol) and sends to it", async () => {
    const frankLid = (await h.control.state()).contacts.find((c) => c.phone === FRANK)!.lid;
    // a store miss makes Baileys ask the server (usync, lid protocol); an unknown number has no LID
    expect(await lidMapping().getLIDForPN(jid(FRANK))).toBe(frankLid);
    expect(await lidMapping().getLIDForPN(jid('5511900000001'))).toBeNull();
    const sent = (await client.sock.sendMessage(jid(FRANK), { text: 'first contact' }))!;
    expect((await inboxEntry(h, FRANK, sent.key.id!)).to).toBe(jid(FRANK));
  });
});

describe('contract: history sync carries phoneNumberToLidMappings', () => {
  let h: Harness;
  let client: Client;

  beforeAll(async () => {
    h = await startHarness();
    await h.control.history(PHONE, { contacts: [{ phone: GINA, name: 'Gina' }], chats: [{ phone: GINA }], messages: [] });
    client = await pairDevice(h, PHONE, 'Alice', { shouldSyncHistoryMessage: () => true });
  });
  afterAll(async () => {
    client?.end();
    await h.close();
  });

  it("Baileys stores the pairs; the history's contacts carry their LID", async () => {
    const ginaLid = lidJid(lidUserFor(GINA));
    const set = await client.waitFor('messaging-history.set', (s) => s.contacts.some((c) => c.id === jid(GINA)), 10_000);
    expect(set.contacts.find((c) => c.id === jid(GINA))?.lid).toBe(ginaLid);
    // Gina is no simulator contact, so usync cannot answer for her: the pair came from the history sync
    expect(await client.sock.signalRepository.lidMapping.getLIDForPN(jid(GINA))).toBe(ginaLid);
  });
});

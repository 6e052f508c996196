import { proto, WAMessageStubType, type WAMessage } from '@whiskeysockets/baileys';
import { Client, eventually, pairDevice, silenceSignalChatter, startHarness, type Harness } from './support/baileys-harness.js';

silenceSignalChatter();

const PHONE = '5511911110000';
const BOB = '5511922220000';
const CAROL = '5511933330000';
const jid = (n: string) => `${n}@s.whatsapp.net`;

const waitInbox = async (h: Harness, contact: string, predicate: (items: Awaited<ReturnType<Harness['control']['inbox']>>) => boolean) => {
  for (let i = 0; i < 100; i++) {
    const items = await h.control.inbox(contact);
    if (predicate(items)) return items;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`inbox of ${contact} never matched: ${JSON.stringify(await h.control.inbox(contact))}`);
};

const upserted = (client: Client, predicate: (m: WAMessage) => boolean, from = 0) =>
  client.waitFor('messages.upsert', (u) => u.messages.some(predicate), 10_000, from).then((u) => u.messages.find(predicate)!);

describe('contract: 1:1 messaging between a linked device and contacts', () => {
  let h: Harness;
  let client: Client;

  beforeAll(async () => {
    h = await startHarness();
    await h.control.createContact(BOB, 'Bob');
    await h.control.createContact(CAROL, 'Carol');
    client = await pairDevice(h, PHONE, 'Alice');
  });
  afterAll(async () => {
    client?.end();
    await h.close();
  });

  it('device → contact: the contact decrypts a pkmsg, then msg; the phone gets the deviceSentMessage copy', async () => {
    const sent = await client.sock.sendMessage(jid(BOB), { text: 'hello bob' });
    let inbox = await waitInbox(h, BOB, (items) => items.length === 1);
    expect(inbox[0]).toMatchObject({ id: sent!.key.id, from: PHONE, type: 'text', text: 'hello bob' });

    await client.sock.sendMessage(jid(BOB), { text: 'second' });
    inbox = await waitInbox(h, BOB, (items) => items.length === 2);
    expect(inbox[1]).toMatchObject({ type: 'text', text: 'second' });

    const copies = await h.control.phoneSent(PHONE);
    expect(copies.map((c) => c.id)).toContain(sent!.key.id);
    expect(copies.find((c) => c.id === sent!.key.id)?.destinationJid).toBe(jid(BOB));
  });

  it('contact → device (PN addressing): messages.upsert notify with pushName, then contacts.update', async () => {
    const mark = client.mark();
    const { id } = await h.control.sendFromContact(BOB, { to: PHONE, text: 'hi alice' });
    const msg = await upserted(client, (m) => m.key.id === id, mark);
    expect(msg.key).toMatchObject({ remoteJid: jid(BOB), fromMe: false });
    expect(msg.key.remoteJidAlt).toMatch(/@lid$/);
    expect(msg.message?.conversation).toBe('hi alice');
    expect(msg.pushName).toBe('Bob');
    const { messages } = await client.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === id), 1000, mark);
    expect(messages).toHaveLength(1);
    await client.waitFor('contacts.update', (u) => u.some((c) => c.id === jid(BOB) && c.notify === 'Bob'), 5000, mark);

    // the device answers with a delivery receipt the contact sees
    await eventually(async () => expect(await h.control.receiptsReceived(BOB)).toEqual(expect.arrayContaining([expect.objectContaining({ id })])));
  });

  it('contact → device (LID addressing) and a reply quoting the device message', async () => {
    const sent = await client.sock.sendMessage(jid(CAROL), { text: 'question?' });
    await waitInbox(h, CAROL, (items) => items.length === 1);
    const mark = client.mark();
    const { id } = await h.control.sendFromContact(CAROL, { to: PHONE, text: 'answer', quotedId: sent!.key.id!, addressing: 'lid' });
    const msg = await upserted(client, (m) => m.key.id === id, mark);
    expect(msg.key.remoteJid).toMatch(/@lid$/);
    expect(msg.key.remoteJidAlt).toBe(jid(CAROL));
    expect(msg.message?.extendedTextMessage?.text).toBe('answer');
    expect(msg.message?.extendedTextMessage?.contextInfo?.stanzaId).toBe(sent!.key.id);
  });

  it('device reply, reaction, edit and revoke reach the contact', async () => {
    const base = (await h.control.inbox(BOB)).length;
    const { id: incoming } = await h.control.sendFromContact(BOB, { to: PHONE, text: 'quote me' });
    const quoted = await upserted(client, (m) => m.key.id === incoming);
    const reply = await client.sock.sendMessage(jid(BOB), { text: 'quoted!' }, { quoted });
    await client.sock.sendMessage(jid(BOB), { react: { text: '👍', key: quoted.key } });
    const edited = await client.sock.sendMessage(jid(BOB), { text: 'typo' });
    const editedId = edited!.key.id!;
    await client.sock.sendMessage(jid(BOB), { text: 'fixed', edit: { ...edited!.key } });
    // Baileys writes the revoke's own id into the key object it is given: pass a copy
    await client.sock.sendMessage(jid(BOB), { delete: { ...edited!.key } });
    const inbox = (await waitInbox(h, BOB, (items) => items.length === base + 5)).slice(base);
    expect(inbox.map((i) => i.type)).toEqual(['text', 'reaction', 'text', 'edit', 'revoke']);
    expect(inbox[0]).toMatchObject({ id: reply!.key.id, text: 'quoted!', quotedId: incoming });
    expect(inbox[1]).toMatchObject({ emoji: '👍', targetId: incoming });
    expect(inbox[2]).toMatchObject({ id: editedId, text: 'typo' });
    expect(inbox[3]).toMatchObject({ targetId: editedId, text: 'fixed' });
    expect(inbox[4]).toMatchObject({ targetId: editedId });
  });

  it('receipts from the contact become messages.update (delivered, then read)', async () => {
    const before = client.mark();
    const sent = await client.sock.sendMessage(jid(BOB), { text: 'did you get it?' });
    const id = sent!.key.id!;
    // a receipt within Baileys' 100 ms buffer window is folded into the pending upsert instead
    await upserted(client, (m) => m.key.id === id, before);
    let mark = client.mark();
    await h.control.receipts(BOB, PHONE, [id], 'delivered');
    await client.waitFor('messages.update', (u) => u.some((x) => x.key.id === id && x.update.status === proto.WebMessageInfo.Status.DELIVERY_ACK), 5000, mark);
    mark = client.mark();
    await h.control.receipts(BOB, PHONE, [id], 'read');
    const update = await client.waitFor('messages.update', (u) => u.some((x) => x.key.id === id && x.update.status === proto.WebMessageInfo.Status.READ), 5000, mark);
    expect(update.find((x) => x.key.id === id)?.key).toMatchObject({ remoteJid: jid(BOB), fromMe: true });
  });

  it('presence from the contact becomes presence.update (composing, recording, paused)', async () => {
    for (const [state, expected] of [
      ['composing', 'composing'],
      ['recording', 'recording'],
      ['paused', 'available'],
    ] as const) {
      const mark = client.mark();
      await h.control.presence(BOB, PHONE, state);
      const update = await client.waitFor('presence.update', (u) => u.id === jid(BOB), 5000, mark);
      expect(update.presences[jid(BOB)]?.lastKnownPresence).toBe(expected);
    }
  });

  it('a contact revoking its message gives messages.update with a REVOKE stub', async () => {
    const { id } = await h.control.sendFromContact(BOB, { to: PHONE, text: 'oops' });
    await upserted(client, (m) => m.key.id === id);
    const mark = client.mark();
    await h.control.revoke(BOB, PHONE, id);
    const update = await client.waitFor('messages.update', (u) => u.some((x) => x.key.id === id), 5000, mark);
    expect(update.find((x) => x.key.id === id)?.update).toMatchObject({ messageStubType: WAMessageStubType.REVOKE, message: null });
  });

  it('a contact name change arrives as contacts.update with the next message', async () => {
    await h.control.renameContact(BOB, 'Robert');
    const mark = client.mark();
    await h.control.sendFromContact(BOB, { to: PHONE, text: 'new name' });
    await client.waitFor('contacts.update', (u) => u.some((c) => c.id === jid(BOB) && c.notify === 'Robert'), 5000, mark);
  });

  it('a contact reaction to a device message arrives as messages.reaction', async () => {
    const sent = await client.sock.sendMessage(jid(BOB), { text: 'react to this' });
    const mark = client.mark();
    await h.control.sendFromContact(BOB, { to: PHONE, reaction: { id: sent!.key.id!, emoji: '❤️' } });
    const reactions = await client.waitFor('messages.reaction', (r) => r.some((x) => x.key.id === sent!.key.id), 5000, mark);
    expect(reactions[0]?.reaction.text).toBe('❤️');
  });
});

describe('contract: what the contacts see of the device', () => {
  let h: Harness;
  let client: Client;
  const FRANK = '5511977770000';

  beforeAll(async () => {
    h = await startHarness();
    await h.control.createContact(FRANK, 'Frank');
    client = await pairDevice(h, '5511911119999', 'Alice');
  });
  afterAll(async () => {
    client?.end();
    await h.close();
  });

  it('read receipts and typing from the device reach the contact', async () => {
    const { id } = await h.control.sendFromContact(FRANK, { to: '5511911119999', text: 'read me' });
    const msg = await upserted(client, (m) => m.key.id === id);
    await client.sock.readMessages([msg.key]);
    await client.sock.sendPresenceUpdate('composing', jid(FRANK));
    await eventually(async () => {
      expect(await h.control.receiptsReceived(FRANK)).toEqual(expect.arrayContaining([expect.objectContaining({ id, type: 'read' })]));
      expect(await h.control.presenceReceived(FRANK)).toEqual(expect.arrayContaining([expect.objectContaining({ from: '5511911119999', state: 'composing' })]));
    });
  });
});

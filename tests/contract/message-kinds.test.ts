import {
  decryptPollVote,
  downloadMediaMessage,
  getAggregateVotesInPollMessage,
  jidNormalizedUser,
  proto,
  WAMessageStubType,
  type WAMessage,
} from '@whiskeysockets/baileys';
import sharp from 'sharp';
import { Client, pairDevice, silenceSignalChatter, startHarness, type Harness } from './support/baileys-harness.js';

silenceSignalChatter();

/*
 * Every kind a contact can send (control API) as the real Baileys socket receives it, 1:1 and in a group:
 * location, contact cards, sticker, polls, encrypted poll votes, reactions (and their removal), edits, revokes,
 * replies with the quoted message, mentions and forwarded messages.
 */

const PHONE = '5511961610000';
const BOB = '5511962620000';
const CAROL = '5511963630000';
const jid = (n: string) => `${n}@s.whatsapp.net`;

const upserted = (client: Client, predicate: (m: WAMessage) => boolean, from = 0) =>
  client.waitFor('messages.upsert', (u) => u.messages.some(predicate), 10_000, from).then((u) => u.messages.find(predicate)!);

/** Decrypts a vote the way a Baileys host must (rc14 leaves it to the host), with the jid forms given. */
const openVote = (vote: WAMessage, poll: WAMessage, creatorJid: string, voterJid: string) =>
  decryptPollVote(vote.message!.pollUpdateMessage!.vote!, {
    pollCreatorJid: creatorJid,
    pollMsgId: poll.key.id!,
    pollEncKey: poll.message!.messageContextInfo!.messageSecret!,
    voterJid,
  });

const tally = (poll: WAMessage, votes: { key: proto.IMessageKey; vote: proto.Message.IPollVoteMessage }[]) =>
  Object.fromEntries(
    getAggregateVotesInPollMessage({ message: poll.message, pollUpdates: votes.map((v) => ({ pollUpdateMessageKey: v.key, vote: v.vote })) }).map((o) => [
      o.name,
      o.voters.length,
    ]),
  );

describe('contract: every kind a contact sends, 1:1', () => {
  let h: Harness;
  let client: Client;
  let me: string;
  let meLid: string;

  beforeAll(async () => {
    h = await startHarness();
    await h.control.createContact(BOB, 'Bob');
    client = await pairDevice(h, PHONE, 'Alice');
    me = jidNormalizedUser(client.sock.user!.id);
    meLid = jidNormalizedUser(client.sock.user!.lid!);
  });
  afterAll(async () => {
    client?.end();
    await h.close();
  });

  it('location: locationMessage with coordinates, name and address', async () => {
    const mark = client.mark();
    const { id } = await h.control.sendLocation(BOB, PHONE, { latitude: -23.5505, longitude: -46.6333, name: 'Praça da Sé', address: 'São Paulo' });
    const msg = await upserted(client, (m) => m.key.id === id, mark);
    expect(msg.message?.locationMessage).toMatchObject({ degreesLatitude: -23.5505, degreesLongitude: -46.6333, name: 'Praça da Sé', address: 'São Paulo' });
    expect(msg.key.remoteJid).toBe(jid(BOB));
  });

  it('contacts: one card is a contactMessage, several a contactsArrayMessage (vCard 3.0 with waid)', async () => {
    let mark = client.mark();
    const one = await h.control.sendContacts(BOB, PHONE, [{ name: 'Dr. Ana', phones: ['+5511987650000'], org: 'Clinic', email: 'ana@example.com' }]);
    const card = (await upserted(client, (m) => m.key.id === one.id, mark)).message?.contactMessage;
    expect(card?.displayName).toBe('Dr. Ana');
    expect(card?.vcard).toContain('TEL;type=CELL;type=VOICE;waid=5511987650000:+5511987650000');
    expect(card?.vcard).toContain('ORG:Clinic;');
    expect(card?.vcard).toContain('EMAIL;type=INTERNET:ana@example.com');

    mark = client.mark();
    const many = await h.control.sendContacts(BOB, PHONE, [
      { name: 'Ana', phones: ['5511987650000'] },
      { name: 'Rui', phones: ['5511987651111', '5511987652222'] },
    ]);
    const array = (await upserted(client, (m) => m.key.id === many.id, mark)).message?.contactsArrayMessage;
    expect(array?.displayName).toBe('2 contacts');
    expect(array?.contacts?.map((c) => c.displayName)).toEqual(['Ana', 'Rui']);
    expect(array?.contacts?.[1]?.vcard).toContain('waid=5511987652222');
  });

  it('sticker: an encrypted webp the device downloads and decrypts', async () => {
    const webp = await sharp({ create: { width: 64, height: 64, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0.5 } } }).webp().toBuffer();
    const mark = client.mark();
    const { id } = await h.control.sendFromContact(BOB, { to: PHONE, media: { type: 'sticker', mimetype: 'image/webp', dataBase64: webp.toString('base64') } });
    const msg = await upserted(client, (m) => m.key.id === id, mark);
    expect(msg.message?.stickerMessage?.mimetype).toBe('image/webp');
    const bytes = (await downloadMediaMessage(msg, 'buffer', {})) as Buffer;
    expect(bytes.equals(webp)).toBe(true);
  });

  it('polls: single choice is pollCreationMessageV3, multiple choice pollCreationMessage; both carry a 32-byte messageSecret', async () => {
    let mark = client.mark();
    const single = await h.control.sendPoll(BOB, PHONE, { question: 'Lunch?', options: ['Pizza', 'Sushi', 'Salad'] });
    const v3 = await upserted(client, (m) => m.key.id === single.id, mark);
    expect(v3.message?.pollCreationMessageV3).toMatchObject({ name: 'Lunch?', selectableOptionsCount: 1 });
    expect(v3.message?.pollCreationMessageV3?.options?.map((o) => o.optionName)).toEqual(['Pizza', 'Sushi', 'Salad']);
    expect(v3.message?.messageContextInfo?.messageSecret).toHaveLength(32);

    mark = client.mark();
    const multi = await h.control.sendPoll(BOB, PHONE, { question: 'Which days?', options: ['Mon', 'Tue'], multipleAnswers: true });
    const v1 = await upserted(client, (m) => m.key.id === multi.id, mark);
    expect(v1.message?.pollCreationMessage).toMatchObject({ name: 'Which days?', selectableOptionsCount: 0 });

    await expect(h.control.sendPoll(BOB, PHONE, { question: 'Empty?', options: ['only one'] })).rejects.toMatchObject({ status: 400, code: 'validation_failed' });
    await expect(h.control.sendPoll(BOB, PHONE, { question: 'Twice?', options: ['a', 'a'] })).rejects.toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it("votes on the device's poll: pollUpdateMessage that Baileys' decryptPollVote opens; changes and withdrawals", async () => {
    const poll = (await client.sock.sendMessage(jid(BOB), { poll: { name: 'Meet when?', values: ['9h', '10h', '11h'], selectableCount: 1 } }))!;
    // the contact learns the poll (and its secret) by decrypting it
    for (let i = 0; i < 100 && !(await h.control.inbox(BOB)).some((e) => e.id === poll.key.id); i++) await new Promise((r) => setTimeout(r, 50));

    let mark = client.mark();
    const { id } = await h.control.vote(BOB, PHONE, { pollId: poll.key.id!, options: ['10h'] });
    const vote = await upserted(client, (m) => m.key.id === id, mark);
    const update = vote.message?.pollUpdateMessage;
    expect(update?.pollCreationMessageKey).toMatchObject({ id: poll.key.id, fromMe: true, remoteJid: jid(BOB) });
    expect(update?.vote?.encIv).toHaveLength(12);
    // PN-addressed contact: the key is derived from the phone jids of creator and voter
    const decrypted = openVote(vote, poll, me, jid(BOB));
    expect(tally(poll, [{ key: vote.key, vote: decrypted }])).toEqual({ '9h': 0, '10h': 1, '11h': 0 });
    expect(() => openVote(vote, poll, meLid, jid(BOB))).toThrow();

    // a changed vote replaces the voter's previous one; the LID/phone mix some clients use is available too
    mark = client.mark();
    const changed = await h.control.vote(BOB, PHONE, { pollId: poll.key.id!, options: ['11h'], jids: { creator: 'lid', voter: 'pn' } });
    const second = await upserted(client, (m) => m.key.id === changed.id, mark);
    expect(tally(poll, [{ key: second.key, vote: openVote(second, poll, meLid, jid(BOB)) }])).toEqual({ '9h': 0, '10h': 0, '11h': 1 });

    mark = client.mark();
    const withdrawn = await h.control.vote(BOB, PHONE, { pollId: poll.key.id!, options: [] });
    const third = await upserted(client, (m) => m.key.id === withdrawn.id, mark);
    expect(openVote(third, poll, me, jid(BOB)).selectedOptions).toEqual([]);

    await expect(h.control.vote(BOB, PHONE, { pollId: poll.key.id!, options: ['noon'] })).rejects.toMatchObject({ status: 400, code: 'unknown_option' });
    await expect(h.control.vote(BOB, PHONE, { pollId: poll.key.id!, options: ['9h', '10h'] })).rejects.toMatchObject({ status: 400, code: 'too_many_options' });
    await expect(h.control.vote(BOB, PHONE, { pollId: 'NOPE', options: [] })).rejects.toMatchObject({ status: 404, code: 'poll_not_found' });
  });

  it('reactions: messages.reaction on the device message, and removal with an empty emoji', async () => {
    const sent = (await client.sock.sendMessage(jid(BOB), { text: 'react to me' }))!;
    let mark = client.mark();
    await h.control.react(BOB, PHONE, sent.key.id!, '🔥');
    const [added] = await client.waitFor('messages.reaction', (r) => r.some((x) => x.key.id === sent.key.id), 10_000, mark);
    expect(added).toMatchObject({ key: { id: sent.key.id, fromMe: true, remoteJid: jid(BOB) }, reaction: { text: '🔥' } });
    expect(added!.reaction.key?.remoteJid).toBe(jid(BOB));

    mark = client.mark();
    await h.control.react(BOB, PHONE, sent.key.id!, '');
    const [removed] = await client.waitFor('messages.reaction', (r) => r.some((x) => x.key.id === sent.key.id), 10_000, mark);
    expect(removed!.reaction.text).toBe('');
  });

  it("edits: messages.update with editedMessage; only the contact's own messages", async () => {
    let mark = client.mark();
    const { id } = await h.control.sendFromContact(BOB, { to: PHONE, text: 'see you at 8' });
    await upserted(client, (m) => m.key.id === id, mark);
    mark = client.mark();
    await h.control.edit(BOB, PHONE, id, 'see you at 9');
    const updates = await client.waitFor('messages.update', (u) => u.some((x) => x.key.id === id), 10_000, mark);
    const edit = updates.find((x) => x.key.id === id)!;
    expect(edit.key).toMatchObject({ remoteJid: jid(BOB), fromMe: false });
    expect(edit.update.message?.editedMessage?.message?.conversation).toBe('see you at 9');
    // the edit itself also arrives as an upsert carrying the protocolMessage
    const raw = await upserted(client, (m) => m.message?.protocolMessage?.key?.id === id, mark);
    expect(raw.message?.protocolMessage?.type).toBe(proto.Message.ProtocolMessage.Type.MESSAGE_EDIT);

    const mine = (await client.sock.sendMessage(jid(BOB), { text: 'mine' }))!;
    await expect(h.control.edit(BOB, PHONE, mine.key.id!, 'hijack')).rejects.toMatchObject({ status: 403, code: 'not_own_message' });
    await expect(h.control.edit(BOB, PHONE, 'UNKNOWN', 'x')).rejects.toMatchObject({ status: 404, code: 'message_not_found' });
  });

  it('revoke as a message kind: messages.update with a REVOKE stub', async () => {
    let mark = client.mark();
    const { id } = await h.control.sendFromContact(BOB, { to: PHONE, text: 'delete me' });
    await upserted(client, (m) => m.key.id === id, mark);
    mark = client.mark();
    await h.control.sendFromContact(BOB, { to: PHONE, revoke: { id } });
    const updates = await client.waitFor('messages.update', (u) => u.some((x) => x.key.id === id), 10_000, mark);
    expect(updates.find((x) => x.key.id === id)?.update).toMatchObject({ messageStubType: WAMessageStubType.REVOKE, message: null });
  });

  it('a reply carries stanzaId, participant and the quoted message; mentions and forwarded travel in contextInfo', async () => {
    const question = (await client.sock.sendMessage(jid(BOB), { text: 'are you coming?' }))!;
    for (let i = 0; i < 100 && !(await h.control.inbox(BOB)).some((e) => e.id === question.key.id); i++) await new Promise((r) => setTimeout(r, 50));
    let mark = client.mark();
    const { id } = await h.control.sendFromContact(BOB, { to: PHONE, text: 'yes!', quotedId: question.key.id! });
    const reply = (await upserted(client, (m) => m.key.id === id, mark)).message?.extendedTextMessage;
    expect(reply?.contextInfo).toMatchObject({ stanzaId: question.key.id, participant: jid(PHONE) });
    expect(reply?.contextInfo?.quotedMessage?.extendedTextMessage?.text).toBe('are you coming?');

    mark = client.mark();
    const loc = await h.control.sendLocation(BOB, PHONE, { latitude: 1, longitude: 2 }, { quotedId: question.key.id!, forwarded: true });
    const located = (await upserted(client, (m) => m.key.id === loc.id, mark)).message?.locationMessage;
    expect(located?.contextInfo).toMatchObject({ stanzaId: question.key.id, isForwarded: true, forwardingScore: 1 });

    mark = client.mark();
    const mention = await h.control.sendFromContact(BOB, { to: PHONE, text: `hey @${PHONE}`, mentions: [PHONE], forwarded: true });
    const text = (await upserted(client, (m) => m.key.id === mention.id, mark)).message?.extendedTextMessage;
    expect(text?.contextInfo?.mentionedJid).toEqual([jid(PHONE)]);
    expect(text?.contextInfo?.isForwarded).toBe(true);
  });

  it('bad kinds are refused with 400 validation_failed', async () => {
    await expect(h.control.sendLocation(BOB, PHONE, { latitude: 91, longitude: 0 })).rejects.toMatchObject({ status: 400, code: 'validation_failed' });
    await expect(h.control.sendContacts(BOB, PHONE, [])).rejects.toMatchObject({ status: 400, code: 'validation_failed' });
    await expect(h.control.sendFromContact(BOB, { to: PHONE, text: 'two kinds', location: { latitude: 0, longitude: 0 } })).rejects.toMatchObject({
      status: 400,
      code: 'validation_failed',
    });
  });
});

describe('contract: every kind a contact sends, in a group', () => {
  let h: Harness;
  let client: Client;
  let group: string;

  beforeAll(async () => {
    h = await startHarness();
    await h.control.createContact(BOB, 'Bob');
    await h.control.createContact(CAROL, 'Carol');
    client = await pairDevice(h, PHONE, 'Alice');
    const mark = client.mark();
    group = (await h.control.createGroup({ creator: BOB, subject: 'Kinds', participants: [PHONE, CAROL] })).jid;
    await client.waitFor('groups.upsert', (g) => g.some((x) => x.id === group), 10_000, mark);
  });
  afterAll(async () => {
    client?.end();
    await h.close();
  });

  it('location, contact card and sticker from members arrive with key.participant and participantAlt', async () => {
    let mark = client.mark();
    const loc = await h.control.sendToGroup(group, { from: CAROL, location: { latitude: 38.7223, longitude: -9.1393, name: 'Lisboa' } });
    const located = await upserted(client, (m) => m.key.id === loc.id, mark);
    expect(located.key).toMatchObject({ remoteJid: group, participant: jid(CAROL) });
    expect(located.key.participantAlt).toMatch(/@lid$/);
    expect(located.message?.locationMessage).toMatchObject({ degreesLatitude: 38.7223, name: 'Lisboa' });

    mark = client.mark();
    const card = await h.control.sendToGroup(group, { from: BOB, contacts: [{ name: 'Plumber', phones: ['5511900001111'] }] });
    expect((await upserted(client, (m) => m.key.id === card.id, mark)).message?.contactMessage?.vcard).toContain('waid=5511900001111');

    const webp = await sharp({ create: { width: 32, height: 32, channels: 4, background: '#00ff00' } }).webp().toBuffer();
    mark = client.mark();
    const sticker = await h.control.sendToGroup(group, { from: BOB, media: { type: 'sticker', mimetype: 'image/webp', dataBase64: webp.toString('base64') } });
    const stickerMsg = await upserted(client, (m) => m.key.id === sticker.id, mark);
    expect(((await downloadMediaMessage(stickerMsg, 'buffer', {})) as Buffer).equals(webp)).toBe(true);
  });

  it("a member's poll and another member's vote: the device decrypts the vote with the poll's secret", async () => {
    let mark = client.mark();
    const { id: pollId } = await h.control.sendToGroup(group, { from: BOB, poll: { question: 'Dinner?', options: ['Yes', 'No'] } });
    const poll = await upserted(client, (m) => m.key.id === pollId, mark);
    expect(poll.message?.pollCreationMessageV3?.name).toBe('Dinner?');

    mark = client.mark();
    const { id } = await h.control.sendToGroup(group, { from: CAROL, vote: { pollId, options: ['Yes'] } });
    const vote = await upserted(client, (m) => m.key.id === id, mark);
    expect(vote.message?.pollUpdateMessage?.pollCreationMessageKey).toMatchObject({ id: pollId, remoteJid: group, participant: jid(BOB), fromMe: false });
    const decrypted = openVote(vote, poll, jid(BOB), jid(CAROL));
    expect(tally(poll, [{ key: vote.key, vote: decrypted }])).toEqual({ Yes: 1, No: 0 });
  });

  it("reactions to the device's group message, edits, revokes, replies and mentions", async () => {
    const sent = (await client.sock.sendMessage(group, { text: 'hello group' }))!;
    for (let i = 0; i < 100 && !(await h.control.inbox(CAROL)).some((e) => e.id === sent.key.id); i++) await new Promise((r) => setTimeout(r, 50));

    let mark = client.mark();
    await h.control.sendToGroup(group, { from: CAROL, reaction: { id: sent.key.id!, emoji: '👋' } });
    const [reaction] = await client.waitFor('messages.reaction', (r) => r.some((x) => x.key.id === sent.key.id), 10_000, mark);
    expect(reaction).toMatchObject({ key: { id: sent.key.id, fromMe: true, remoteJid: group }, reaction: { text: '👋' } });

    mark = client.mark();
    const reply = await h.control.sendToGroup(group, { from: BOB, text: `welcome @${PHONE}`, quotedId: sent.key.id!, mentions: [PHONE] });
    const replied = (await upserted(client, (m) => m.key.id === reply.id, mark)).message?.extendedTextMessage?.contextInfo;
    expect(replied).toMatchObject({ stanzaId: sent.key.id, participant: jid(PHONE), mentionedJid: [jid(PHONE)] });
    expect(replied?.quotedMessage?.extendedTextMessage?.text).toBe('hello group');

    mark = client.mark();
    await h.control.sendToGroup(group, { from: BOB, edit: { id: reply.id, text: 'welcome!' } });
    const edits = await client.waitFor('messages.update', (u) => u.some((x) => x.key.id === reply.id && !!x.update.message), 10_000, mark);
    expect(edits.find((x) => x.key.id === reply.id)?.update.message?.editedMessage?.message?.conversation).toBe('welcome!');

    mark = client.mark();
    await h.control.sendToGroup(group, { from: BOB, revoke: { id: reply.id } });
    const revokes = await client.waitFor('messages.update', (u) => u.some((x) => x.key.id === reply.id && x.update.messageStubType === WAMessageStubType.REVOKE), 10_000, mark);
    expect(revokes.find((x) => x.key.id === reply.id)?.key).toMatchObject({ remoteJid: group, participant: jid(BOB) });
    await expect(h.control.sendToGroup(group, { from: CAROL, revoke: { id: reply.id } })).rejects.toMatchObject({ status: 403, code: 'not_own_message' });
  });
});

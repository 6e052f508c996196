import { randomBytes } from 'node:crypto';
import { aesEncryptGCM, hmacSign, jidNormalizedUser, proto, sha256, type WAMessage } from '@whiskeysockets/baileys';
import sharp from 'sharp';
import type { InboxItem } from '../../src/simulator/control/control-client.js';
import { Client, pairDevice, silenceSignalChatter, startHarness, type Harness } from './support/baileys-harness.js';

silenceSignalChatter();

/*
 * Every kind the real Baileys socket sends, as a contact's inbox shows it (decrypted): location, contact cards,
 * sticker, polls, poll votes (decrypted to option names), reactions, edits, revokes, link previews, forwarded
 * messages, replies and mentions; 1:1 and in a group.
 */

const PHONE = '5511971710000';
const BOB = '5511972720000';
const CAROL = '5511973730000';
const jid = (n: string) => `${n}@s.whatsapp.net`;

const inboxEntry = async (h: Harness, contact: string, id: string): Promise<InboxItem> => {
  for (let i = 0; i < 200; i++) {
    const found = (await h.control.inbox(contact)).find((e) => e.id === id);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${id} never reached the inbox of ${contact}: ${JSON.stringify(await h.control.inbox(contact))}`);
};

const upserted = (client: Client, predicate: (m: WAMessage) => boolean, from = 0) =>
  client.waitFor('messages.upsert', (u) => u.messages.some(predicate), 10_000, from).then((u) => u.messages.find(predicate)!);

/**
 * A vote as a host must build it with Baileys rc14 (which can decrypt votes but has no API to cast one):
 * HKDF(messageSecret) over pollMsgId ‖ creator ‖ voter ‖ "Poll Vote", AES-256-GCM, AAD pollMsgId \0 voter.
 */
function castVote(poll: WAMessage, options: string[], creatorJid: string, voterJid: string): proto.IMessage {
  const pollMsgId = poll.key.id!;
  const secret = poll.message!.messageContextInfo!.messageSecret!;
  const key0 = hmacSign(secret, new Uint8Array(32), 'sha256');
  const key = hmacSign(Buffer.concat([Buffer.from(pollMsgId), Buffer.from(creatorJid), Buffer.from(voterJid), Buffer.from('Poll Vote'), Buffer.from([1])]), key0, 'sha256');
  const encIv = randomBytes(12);
  const plaintext = proto.Message.PollVoteMessage.encode({ selectedOptions: options.map((o) => sha256(Buffer.from(o))) }).finish();
  const encPayload = aesEncryptGCM(plaintext, key, encIv, Buffer.from(`${pollMsgId}\u0000${voterJid}`));
  return {
    pollUpdateMessage: {
      pollCreationMessageKey: { remoteJid: poll.key.remoteJid, fromMe: false, id: pollMsgId, ...(poll.key.participant ? { participant: poll.key.participant } : {}) },
      vote: { encPayload, encIv },
      senderTimestampMs: Date.now(),
    },
  };
}

describe("contract: a contact's inbox shows every kind the device sends, 1:1", () => {
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

  it('location and contact cards (vCards parsed)', async () => {
    const loc = await client.sock.sendMessage(jid(BOB), { location: { degreesLatitude: 48.8584, degreesLongitude: 2.2945, name: 'Tour Eiffel', address: 'Paris' } });
    expect(await inboxEntry(h, BOB, loc!.key.id!)).toMatchObject({
      type: 'location',
      from: PHONE,
      to: jid(BOB),
      location: { latitude: 48.8584, longitude: 2.2945, name: 'Tour Eiffel', address: 'Paris' },
    });

    const vcard = 'BEGIN:VCARD\nVERSION:3.0\nFN:Jane Roe\nORG:Acme;\nTEL;type=CELL;type=VOICE;waid=5511900002222:+55 11 90000-2222\nEMAIL:jane@acme.test\nEND:VCARD';
    // with one card Baileys sends contacts[0] as the contactMessage: its displayName, not the outer one, is shown
    const one = await client.sock.sendMessage(jid(BOB), { contacts: { displayName: 'ignored', contacts: [{ displayName: 'Jane Roe', vcard }] } });
    expect(await inboxEntry(h, BOB, one!.key.id!)).toMatchObject({
      type: 'contact',
      contacts: [{ displayName: 'Jane Roe', name: 'Jane Roe', phones: ['5511900002222'], org: 'Acme', email: 'jane@acme.test', vcard }],
    });

    const two = await client.sock.sendMessage(jid(BOB), {
      contacts: { displayName: '2 contacts', contacts: [{ vcard }, { vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Joe\nTEL:+1 555 0100\nEND:VCARD' }] },
    });
    const array = await inboxEntry(h, BOB, two!.key.id!);
    expect(array.type).toBe('contacts');
    expect(array.contacts?.map((c) => [c.name, c.phones])).toEqual([
      ['Jane Roe', ['5511900002222']],
      ['Joe', ['15550100']],
    ]);
  });

  it('sticker: downloaded, decrypted and hashed', async () => {
    const webp = await sharp({ create: { width: 48, height: 48, channels: 4, background: '#3366ff' } }).webp().toBuffer();
    const sent = await client.sock.sendMessage(jid(BOB), { sticker: webp });
    const entry = await inboxEntry(h, BOB, sent!.key.id!);
    expect(entry).toMatchObject({ type: 'sticker', mimetype: 'image/webp', size: webp.length });
    expect(entry.sha256).toBe(sha256(webp).toString('hex'));
    expect(entry.mediaError).toBeUndefined();
  });

  it("polls the device creates, and the device's votes on a contact's poll decrypted to option names", async () => {
    const single = await client.sock.sendMessage(jid(BOB), { poll: { name: 'Coffee or tea?', values: ['Coffee', 'Tea'], selectableCount: 1 } });
    expect(await inboxEntry(h, BOB, single!.key.id!)).toMatchObject({ type: 'poll', poll: { question: 'Coffee or tea?', options: ['Coffee', 'Tea'], selectableCount: 1 } });
    const multi = await client.sock.sendMessage(jid(BOB), { poll: { name: 'Toppings', values: ['Cheese', 'Ham', 'Olives'], selectableCount: 0 } });
    expect(await inboxEntry(h, BOB, multi!.key.id!)).toMatchObject({ type: 'poll', poll: { question: 'Toppings', selectableCount: 0 } });

    const mark = client.mark();
    const { id: pollId } = await h.control.sendPoll(BOB, PHONE, { question: 'Which film?', options: ['Alien', 'Heat', 'Up'], multipleAnswers: true });
    const poll = await upserted(client, (m) => m.key.id === pollId, mark);

    // phone jids on both sides
    const first = await client.sock.relayMessage(jid(BOB), castVote(poll, ['Alien', 'Up'], jid(BOB), me), {});
    expect(await inboxEntry(h, BOB, first)).toMatchObject({
      type: 'vote',
      targetId: pollId,
      vote: { pollId, options: ['Alien', 'Up'], creatorJid: jid(BOB), voterJid: me },
    });
    // LIDs on both sides (what a LID-addressed chat uses): the inbox tries both forms
    const bobLid = (await h.control.state()).contacts.find((c) => c.phone === BOB)!.lid;
    const second = await client.sock.relayMessage(jid(BOB), castVote(poll, ['Heat'], bobLid, meLid), {});
    expect((await inboxEntry(h, BOB, second)).vote).toEqual({ pollId, options: ['Heat'], creatorJid: bobLid, voterJid: meLid });
    // a vote for a poll nobody knows is reported, not dropped
    const stray = await client.sock.relayMessage(jid(BOB), castVote({ ...poll, key: { ...poll.key, id: 'UNKNOWNPOLL' } }, ['Heat'], jid(BOB), me), {});
    expect((await inboxEntry(h, BOB, stray)).voteError).toMatch(/unknown poll/);
  });

  it('reactions (and their removal), edits and revokes', async () => {
    const mark = client.mark();
    const { id } = await h.control.sendFromContact(BOB, { to: PHONE, text: 'nice shot' });
    const theirs = await upserted(client, (m) => m.key.id === id, mark);
    const react = await client.sock.sendMessage(jid(BOB), { react: { text: '😂', key: theirs.key } });
    const unreact = await client.sock.sendMessage(jid(BOB), { react: { text: '', key: theirs.key } });
    expect(await inboxEntry(h, BOB, react!.key.id!)).toMatchObject({ type: 'reaction', emoji: '😂', targetId: id });
    expect(await inboxEntry(h, BOB, unreact!.key.id!)).toMatchObject({ type: 'reaction', emoji: '', targetId: id });

    const typo = await client.sock.sendMessage(jid(BOB), { text: 'teh plan' });
    // Baileys' processing of its own revoke later rewrites the id on the sent message's key object: read ids first
    const typoId = typo!.key.id!;
    const edit = await client.sock.sendMessage(jid(BOB), { text: 'the plan', edit: { ...typo!.key } });
    const revoke = await client.sock.sendMessage(jid(BOB), { delete: { ...typo!.key } });
    const revokeId = revoke!.key.id!;
    expect(await inboxEntry(h, BOB, edit!.key.id!)).toMatchObject({ type: 'edit', targetId: typoId, text: 'the plan' });
    expect(await inboxEntry(h, BOB, revokeId)).toMatchObject({ type: 'revoke', targetId: typoId });
  });

  it('link previews, forwarded messages, replies and mentions', async () => {
    const thumb = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#ff8800' } }).jpeg().toBuffer();
    const link = await client.sock.sendMessage(jid(BOB), {
      text: 'read https://example.com/post',
      linkPreview: { 'canonical-url': 'https://example.com/post', 'matched-text': 'https://example.com/post', title: 'A post', description: 'About things', jpegThumbnail: thumb },
    });
    expect(await inboxEntry(h, BOB, link!.key.id!)).toMatchObject({
      type: 'text',
      text: 'read https://example.com/post',
      linkPreview: { matchedText: 'https://example.com/post', title: 'A post', description: 'About things', thumbnailSize: thumb.length },
    });

    const mark = client.mark();
    const { id } = await h.control.sendFromContact(BOB, { to: PHONE, text: 'forward me' });
    const original = await upserted(client, (m) => m.key.id === id, mark);
    const forwarded = await client.sock.sendMessage(jid(BOB), { forward: original });
    expect(await inboxEntry(h, BOB, forwarded!.key.id!)).toMatchObject({ type: 'text', text: 'forward me', forwarded: true, forwardingScore: 1 });

    const reply = await client.sock.sendMessage(jid(BOB), { text: `@${BOB} got it`, mentions: [jid(BOB)] }, { quoted: original });
    expect(await inboxEntry(h, BOB, reply!.key.id!)).toMatchObject({
      type: 'text',
      quotedId: id,
      quotedParticipant: jid(BOB),
      quotedText: 'forward me',
      mentions: [jid(BOB)],
    });
  });
});

describe("contract: a member contact's inbox shows every kind the device sends to a group", () => {
  let h: Harness;
  let client: Client;
  let group: string;

  beforeAll(async () => {
    h = await startHarness();
    await h.control.createContact(BOB, 'Bob');
    await h.control.createContact(CAROL, 'Carol');
    client = await pairDevice(h, PHONE, 'Alice');
    const mark = client.mark();
    group = (await h.control.createGroup({ creator: BOB, subject: 'Inbox kinds', participants: [PHONE, CAROL] })).jid;
    await client.waitFor('groups.upsert', (g) => g.some((x) => x.id === group), 10_000, mark);
  });
  afterAll(async () => {
    client?.end();
    await h.close();
  });

  it('location, poll and a vote on a member poll reach every member, marked with the group', async () => {
    const loc = await client.sock.sendMessage(group, { location: { degreesLatitude: 1.5, degreesLongitude: -2.5 } });
    for (const member of [BOB, CAROL]) {
      expect(await inboxEntry(h, member, loc!.key.id!)).toMatchObject({ type: 'location', group, from: PHONE, location: { latitude: 1.5, longitude: -2.5 } });
    }
    const poll = await client.sock.sendMessage(group, { poll: { name: 'Where?', values: ['Beach', 'Park'], selectableCount: 1 } });
    expect(await inboxEntry(h, CAROL, poll!.key.id!)).toMatchObject({ type: 'poll', group, poll: { question: 'Where?', options: ['Beach', 'Park'] } });

    const mark = client.mark();
    const { id: pollId } = await h.control.sendToGroup(group, { from: BOB, poll: { question: 'When?', options: ['Sat', 'Sun'] } });
    const bobsPoll = await upserted(client, (m) => m.key.id === pollId, mark);
    const voteId = await client.sock.relayMessage(group, castVote(bobsPoll, ['Sun'], jid(BOB), jidNormalizedUser(client.sock.user!.id)), {});
    expect(await inboxEntry(h, CAROL, voteId)).toMatchObject({ type: 'vote', group, vote: { pollId, options: ['Sun'] } });
  });
});

/**
 * The inbound journal on a real Redis (its store) and its entries through Baileys' own decoding (the replay): what a
 * crashed process left is read back as the message Baileys emitted, and nothing readable is kept in clear.
 */
import { randomBytes } from 'node:crypto';
import { proto, writeRandomPadMax16, type BinaryNode } from '@whiskeysockets/baileys';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { InboundJournal } from '../../src/engine/inbound-journal.js';
import { encodeJournalEntry } from '../../src/engine/inbound-journal-tap.js';
import { replayedMessage } from '../../src/engine/inbound-replay.js';
import { createBaileysLogger } from '../../src/engine/baileys-logger.js';
import { connectRedis, deleteUnder, uniquePrefix } from './support/redis.js';

const prefix = uniquePrefix('inbound-journal');
const logger = pino({ level: 'silent' });
const baileysLogger = createBaileysLogger(logger);
let redis: Redis;

beforeAll(() => {
  redis = connectRedis();
});
afterAll(async () => {
  await deleteUnder(redis, prefix);
  redis.disconnect();
});

const journalOf = (options: { encryptionKey?: Buffer; replayLimit?: number } = {}) =>
  new InboundJournal({ redis, keyPrefix: prefix, encryptionKey: options.encryptionKey ?? randomBytes(32), logger, ...options });

const ME = { id: '5511999990000:7@s.whatsapp.net', lid: '99887766554433:7@lid' };
const CONTACT = '5511988887777@s.whatsapp.net';
const CONTACT_LID = '11223344556677@lid';

const padded = (message: proto.IMessage): Uint8Array => writeRandomPadMax16(proto.Message.encode(message).finish());

function textNode(id: string, text: string, attrs: Record<string, string> = {}): { node: BinaryNode; decrypted: Map<BinaryNode, Uint8Array | null> } {
  const enc: BinaryNode = { tag: 'enc', attrs: { v: '2', type: 'msg' }, content: randomBytes(48) };
  const node: BinaryNode = {
    tag: 'message',
    attrs: { id, from: CONTACT, sender_lid: CONTACT_LID, t: String(Math.floor(Date.now() / 1000)), type: 'text', notify: 'Ana', ...attrs },
    content: [enc],
  };
  return { node, decrypted: new Map([[enc, padded({ conversation: text })]]) };
}

describe('InboundJournal (Redis)', () => {
  it('keeps an entry encrypted at rest, hands it out for replay once per process, and drops it when settled', async () => {
    const key = randomBytes(32);
    const first = journalOf({ encryptionKey: key });
    const { node, decrypted } = textNode('MSG-AT-REST', 'a secret only the phone should read');
    const entry = encodeJournalEntry(node, decrypted, ME);
    await expect(first.record('inst-1', 'MSG-AT-REST', entry)).resolves.toBe(true);

    const raw = await redis.hget(first.key('inst-1'), 'MSG-AT-REST');
    expect(raw?.startsWith('v1.')).toBe(true);
    expect(raw).not.toContain('secret');
    expect(Buffer.from(raw!.slice(3), 'base64').toString('latin1')).not.toContain('secret');
    const ttl = await redis.pttl(first.key('inst-1'));
    expect(ttl).toBeGreaterThan(6 * 24 * 3600_000);

    // The process that wrote it has it on its way already: nothing to replay there.
    await expect(first.pending('inst-1')).resolves.toEqual([]);
    // A new process (same key) gets it back, byte for byte, once.
    const second = journalOf({ encryptionKey: key });
    const pending = await second.pending('inst-1');
    expect(pending.map((p) => p.messageId)).toEqual(['MSG-AT-REST']);
    expect(Buffer.from(pending[0]!.entry).equals(Buffer.from(entry))).toBe(true);
    await expect(second.pending('inst-1')).resolves.toEqual([]);

    second.settled('inst-1', 'MSG-AT-REST');
    await expect(redis.hexists(second.key('inst-1'), 'MSG-AT-REST')).resolves.toBe(0);
  });

  it('never hands out an entry it cannot read (wrong key, or a value moved to another id): it is deleted', async () => {
    const writer = journalOf();
    await writer.record('inst-2', 'MSG-A', encodeJournalEntry(textNode('MSG-A', 'a').node, textNode('MSG-A', 'a').decrypted, ME));
    const value = (await redis.hget(writer.key('inst-2'), 'MSG-A'))!;
    await redis.hset(writer.key('inst-2'), 'MSG-MOVED', value);

    const other = journalOf(); // another ENCRYPTION_KEY
    await expect(other.pending('inst-2')).resolves.toEqual([]);
    await expect(redis.hlen(writer.key('inst-2'))).resolves.toBe(0);
  });

  it('replays at most replayLimit entries per call, the rest at the next', async () => {
    const key = randomBytes(32);
    const writer = journalOf({ encryptionKey: key });
    for (let i = 0; i < 5; i++) {
      const { node, decrypted } = textNode(`MSG-${i}`, `text ${i}`);
      await writer.record('inst-3', `MSG-${i}`, encodeJournalEntry(node, decrypted, ME));
    }
    const reader = journalOf({ encryptionKey: key, replayLimit: 3 });
    const firstRound = await reader.pending('inst-3');
    expect(firstRound).toHaveLength(3);
    const secondRound = await reader.pending('inst-3');
    expect(secondRound).toHaveLength(2);
    expect(new Set([...firstRound, ...secondRound].map((p) => p.messageId)).size).toBe(5);
    await reader.clear('inst-3');
    await expect(redis.exists(reader.key('inst-3'))).resolves.toBe(0);
  });
});

describe('replay of a journal entry (Baileys decryptMessageNode on the journaled plaintexts)', () => {
  it('gives back the message Baileys emitted: key, sender LID, push name, text; offline means append', async () => {
    const { node, decrypted } = textNode('3EB0REPLAY1', 'olá do journal', { offline: '1' });
    const replay = await replayedMessage(Buffer.from(encodeJournalEntry(node, decrypted, ME)), baileysLogger);
    expect(replay?.type).toBe('append');
    expect(replay?.message.key).toMatchObject({ id: '3EB0REPLAY1', remoteJid: CONTACT, remoteJidAlt: CONTACT_LID, fromMe: false });
    expect(replay?.message.pushName).toBe('Ana');
    expect(replay?.message.message?.conversation).toBe('olá do journal');
    expect(Number(replay?.message.messageTimestamp)).toBe(Number(node.attrs.t));
    expect(replay?.message.messageStubType ?? null).toBeNull();
  });

  it('a group message: sender key distribution and text from two enc children, participant kept; notify when live', async () => {
    const pkmsg: BinaryNode = { tag: 'enc', attrs: { v: '2', type: 'pkmsg' }, content: randomBytes(64) };
    const skmsg: BinaryNode = { tag: 'enc', attrs: { v: '2', type: 'skmsg' }, content: randomBytes(64) };
    const group = '120363000000000001@g.us';
    const node: BinaryNode = {
      tag: 'message',
      attrs: { id: '3EB0GROUP1', from: group, participant: CONTACT, t: '1765000000', type: 'text', notify: 'Ana' },
      content: [pkmsg, skmsg],
    };
    const skdm = { senderKeyDistributionMessage: { groupId: group, axolotlSenderKeyDistributionMessage: randomBytes(32) } };
    const entry = encodeJournalEntry(node, new Map([[pkmsg, padded(skdm)], [skmsg, padded({ conversation: 'no grupo' })]]), ME);
    const replay = await replayedMessage(Buffer.from(entry), baileysLogger);
    expect(replay?.type).toBe('notify');
    expect(replay?.message.key).toMatchObject({ id: '3EB0GROUP1', remoteJid: group, participant: CONTACT, fromMe: false });
    expect(replay?.message.message?.conversation).toBe('no grupo');
  });

  it('a message sent from the own phone stays fromMe; a child that failed live fails again (a CIPHERTEXT stub)', async () => {
    const good: BinaryNode = { tag: 'enc', attrs: { v: '2', type: 'msg' }, content: randomBytes(32) };
    const bad: BinaryNode = { tag: 'enc', attrs: { v: '2', type: 'msg' }, content: randomBytes(32) };
    const node: BinaryNode = {
      tag: 'message',
      attrs: { id: '3EB0MINE1', from: '5511999990000:0@s.whatsapp.net', recipient: CONTACT, t: '1765000000', type: 'text' },
      content: [good, bad],
    };
    const entry = encodeJournalEntry(node, new Map([[good, padded({ conversation: 'do celular' })], [bad, null]]), ME);
    const replay = await replayedMessage(Buffer.from(entry), baileysLogger);
    expect(replay?.message.key).toMatchObject({ id: '3EB0MINE1', remoteJid: CONTACT, fromMe: true });
    expect(replay?.message.message?.conversation).toBe('do celular');
    expect(replay?.message.messageStubType).toBe(proto.WebMessageInfo.StubType.CIPHERTEXT);
  });

  it('something that is not a journal entry gives null', async () => {
    const { encodeBinaryNode } = await import('@whiskeysockets/baileys');
    await expect(replayedMessage(Buffer.from(encodeBinaryNode({ tag: 'iq', attrs: { id: '1' } })), baileysLogger)).resolves.toBeNull();
  });
});

describe('the journal tap on a message WhatsApp delivers again (journaled by an earlier life, receipt never left)', () => {
  /** A repository whose decryptions are counted: what Baileys' own would do to a session. */
  const countingRepository = () => {
    const calls: string[] = [];
    const repository = {
      decryptMessage: async ({ ciphertext }: { ciphertext: Uint8Array }) => {
        calls.push('decrypt');
        return ciphertext;
      },
      decryptGroupMessage: async ({ msg }: { msg: Uint8Array }) => msg,
    };
    return { calls, make: () => repository as never };
  };

  it('hands Baileys the journaled plaintext without decrypting (no session touched) and does not journal it again', async () => {
    const { InboundJournalTap } = await import('../../src/engine/inbound-journal-tap.js');
    const journal = journalOf();
    const { node, decrypted } = textNode('3EB0AGAIN1', 'de novo');
    const earlier = await replayedMessage(Buffer.from(encodeJournalEntry(node, decrypted, ME)), baileysLogger);
    const tap = new InboundJournalTap(journal, 'inst-again', { me: ME } as never, new Map([['3EB0AGAIN1', earlier!.stanza]]));
    const listeners: Array<(n: BinaryNode) => void> = [];
    tap.attach({ prependListener: (_event, listener) => listeners.push(listener) });
    const { calls, make } = countingRepository();
    const repository = tap.makeSignalRepository(make)({ creds: {} as never, keys: {} as never }, baileysLogger as never);

    // The same stanza again (same id, sender and ciphertext), as WhatsApp redelivers it.
    const again: BinaryNode = { ...node, attrs: { ...node.attrs, offline: '1' } };
    listeners.forEach((l) => l(again));
    const enc = (again.content as BinaryNode[])[0]!;
    const plaintext = await repository.decryptMessage({ jid: CONTACT, type: 'msg', ciphertext: enc.content as Uint8Array });
    expect(Buffer.from(plaintext)).toEqual(Buffer.from(decrypted.get((node.content as BinaryNode[])[0]!)!));
    expect(calls).toEqual([]);

    // Another message is decrypted (and journaled) as usual.
    const other = textNode('3EB0OTHER1', 'outra');
    listeners.forEach((l) => l(other.node));
    await repository.decryptMessage({ jid: CONTACT, type: 'msg', ciphertext: (other.node.content as BinaryNode[])[0]!.content as Uint8Array });
    expect(calls).toEqual(['decrypt']);
    expect(await redis.hexists(journal.key('inst-again'), '3EB0OTHER1')).toBe(1);
    expect(await redis.hexists(journal.key('inst-again'), '3EB0AGAIN1')).toBe(0);
  });
});

/**
 * Session work of one instance runs one call at a time, each in its own key transaction (Baileys' real
 * addTransactionCapability over an in-memory store): a receive and a send that read, change and write the same
 * session record no longer overwrite each other's update.
 */
import { addTransactionCapability, type SignalDataSet, type SignalKeyStore, type SignalRepositoryWithLIDStore } from '@whiskeysockets/baileys';
import pino from 'pino';
import { serializeSessionWork } from '../../src/engine/session-serializer.js';

const ME = '5511999990000:7@s.whatsapp.net';

/** A store that keeps one session record: a counter each call bumps. */
function memoryStore(): SignalKeyStore & { counter(): number } {
  const data = new Map<string, unknown>();
  return {
    get: async (type, ids) => Object.fromEntries(ids.filter((id) => data.has(`${type}:${id}`)).map((id) => [id, data.get(`${type}:${id}`)])) as never,
    set: async (set: SignalDataSet) => {
      for (const [type, entries] of Object.entries(set)) for (const [id, value] of Object.entries(entries ?? {})) data.set(`${type}:${id}`, value);
    },
    counter: () => Number((data.get('session:peer.0') as { n?: number } | undefined)?.n ?? 0),
  };
}

/** What libsignal does to a session on each encrypt or decrypt: read the record, work a while, write it back. */
function bumpingRepository(keys: SignalKeyStore): SignalRepositoryWithLIDStore {
  const bump = async (): Promise<Uint8Array> => {
    const { 'peer.0': record } = await keys.get('session', ['peer.0']);
    const n = Number((record as { n?: number } | undefined)?.n ?? 0);
    await new Promise((r) => setTimeout(r, 1 + Math.floor(Math.random() * 3)));
    await keys.set({ session: { 'peer.0': { n: n + 1 } as never } });
    return new Uint8Array([n]);
  };
  return {
    decryptMessage: bump,
    encryptMessage: async () => ({ type: 'msg', ciphertext: await bump() }),
    injectE2ESession: async () => {
      await bump();
    },
  } as unknown as SignalRepositoryWithLIDStore;
}

describe('serializeSessionWork', () => {
  const logger = pino({ level: 'silent' });

  it('concurrent sends (in their own-id transaction, as relayMessage) and receives keep every session update', async () => {
    const store = memoryStore();
    const keys = addTransactionCapability(store, logger as never, { maxCommitRetries: 1, delayBetweenTriesMs: 1 });
    const repository = serializeSessionWork(bumpingRepository(keys), keys, () => ME);
    const send = () => keys.transaction(async () => repository.encryptMessage({ jid: 'peer@s.whatsapp.net', data: new Uint8Array() }), ME);
    const receive = () => repository.decryptMessage({ jid: 'peer@s.whatsapp.net', type: 'msg', ciphertext: new Uint8Array() });
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? send() : receive())));
    expect(store.counter()).toBe(20);
  });

  it('without it, the same calls lose updates (what the node-kill fault test ran into)', async () => {
    const store = memoryStore();
    const keys = addTransactionCapability(store, logger as never, { maxCommitRetries: 1, delayBetweenTriesMs: 1 });
    const repository = bumpingRepository(keys);
    // Baileys' own keys: a send in our id's transaction, a receive in the sender's.
    const send = () => keys.transaction(async () => repository.encryptMessage({ jid: 'peer@s.whatsapp.net', data: new Uint8Array() }), ME);
    const receive = () => keys.transaction(async () => repository.decryptMessage({ jid: 'peer@s.whatsapp.net', type: 'msg', ciphertext: new Uint8Array() }), 'peer@s.whatsapp.net');
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? send() : receive())));
    expect(store.counter()).toBeLessThan(20);
  });
});

/**
 * Runs in its own Node process (`node --import tsx`), as the product does: Jest's module loader hands each test file
 * a snapshot of `node:async_hooks`, so the switch to the shared AsyncLocalStorage would not reach Baileys there.
 * Argument `shared` installs it first (as createEngine does), `original` leaves Node's.
 *
 * Then one key transaction of Baileys' own `addTransactionCapability` over an in-memory key store: a write inside
 * it, and work it starts without awaiting (as a 1:1 send starts the privacy-token issuance) that writes and reads
 * a key after the transaction has committed. Prints what reached the store and what that late read saw, as JSON.
 */
import pino from 'pino';
import type { SignalDataSet, SignalDataTypeMap, SignalKeyStore } from '@whiskeysockets/baileys';
import { shareAsyncLocalStorage } from '../../../src/engine/shared-async-storage.js';

const mode = process.argv[2];
if (mode === 'shared') shareAsyncLocalStorage();
else if (mode !== 'original') throw new Error(`mode must be shared or original, got ${mode}`);

const { addTransactionCapability } = await import('@whiskeysockets/baileys');

const stored = new Map<string, unknown>();
const store: SignalKeyStore = {
  async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
    const out: { [id: string]: SignalDataTypeMap[T] } = {};
    for (const id of ids) if (stored.has(`${type}:${id}`)) out[id] = stored.get(`${type}:${id}`) as SignalDataTypeMap[T];
    return out;
  },
  async set(data: SignalDataSet) {
    for (const [type, entries] of Object.entries(data)) {
      for (const [id, value] of Object.entries(entries ?? {})) stored.set(`${type}:${id}`, value);
    }
  },
};
const keys = addTransactionCapability(store, pino({ level: 'silent' }), { maxCommitRetries: 1, delayBetweenTriesMs: 1 });

let late: Promise<unknown> | undefined;
await keys.transaction(async () => {
  await keys.set({ 'sender-key-memory': { inside: { a: true } } });
  late = (async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    await keys.set({ tctoken: { contact: { token: Buffer.alloc(0), senderTimestamp: 1_700_000_000 } } });
    return keys.get('tctoken', ['contact']);
  })();
}, 'me');
const committed = stored.has('sender-key-memory:inside');
const lateRead = await late;
process.stdout.write(
  `${JSON.stringify({ committed, lateWriteStored: stored.has('tctoken:contact'), lateReadSaw: Object.keys(lateRead as object) })}\n`,
);

import { DEFAULT_CONNECTION_CONFIG, type AuthenticationCreds, type SignalKeyStoreWithTransaction, type SignalRepositoryWithLIDStore, type SocketConfig } from '@whiskeysockets/baileys';

/**
 * Baileys' signal repository, with every call that reads and writes a 1:1 Signal session run inside the key store
 * transaction Baileys' own sends use (keyed by our own id, `creds.me.id`), so that on one instance they run one after
 * the other. Without it, two bugs lose session updates (Baileys 7.0.0-rc14, libsignal 6):
 *
 * 1. A send (`relayMessage`: one transaction keyed by our id, committed after the stanza left) and a receive
 *    (`decryptMessage`: its own transaction, keyed by the sender) run at once on the same session. Each caches the
 *    record it read; whichever commits last overwrites the other's ratchet step (a send counter used twice, a
 *    receiving chain forgotten).
 * 2. libsignal runs the jobs of one address (`SessionCipher`'s queue) one after the other, in ONE async context: the
 *    context of the call that found the queue empty. A decrypt queued behind a send's encrypt therefore ran inside
 *    the send's transaction (its writes went to the send's cache, committed with the send or, when they came after
 *    that commit, never), and vice versa: the receive's own transaction committed nothing, yet its receipt left.
 *
 * Both show as messages one end cannot decrypt, healed (or not) by retry receipts; the node-kill fault test ran into
 * them. With every session call of the instance under one transaction key, a job never waits behind another one of
 * the same instance, so it runs in its own caller's context, and each transaction sees the previous one's commit
 * (tests/engine/session-serializer.test.ts). An inbound decryption waits for a send in flight (a few ms).
 *
 * Nested calls (an encrypt inside `relayMessage`, which already holds the transaction) reuse it. Group sender keys
 * are left alone: Baileys already keys all their transactions by the group.
 */
export function serializeSessionWork(
  repository: SignalRepositoryWithLIDStore,
  keys: SignalKeyStoreWithTransaction,
  ownId: () => string | undefined,
): SignalRepositoryWithLIDStore {
  const inTransaction = <T>(work: () => Promise<T>): Promise<T> => keys.transaction(work, ownId() ?? 'signal-sessions');
  return {
    ...repository,
    decryptMessage: (opts) => inTransaction(() => repository.decryptMessage(opts)),
    encryptMessage: (opts) => inTransaction(() => repository.encryptMessage(opts)),
    injectE2ESession: (opts) => inTransaction(() => repository.injectE2ESession(opts)),
  };
}

/** For the socket config: Baileys' default repository, its session work serialized (what every socket uses). */
export const makeSerializedSignalRepository: SocketConfig['makeSignalRepository'] = (auth, logger, pnToLid) => {
  const repository = DEFAULT_CONNECTION_CONFIG.makeSignalRepository(auth, logger, pnToLid);
  const keys = auth.keys as Partial<SignalKeyStoreWithTransaction>;
  // Baileys hands the repository its transaction-capable store (socket.js); anything else is left as it is.
  if (typeof keys.transaction !== 'function') return repository;
  return serializeSessionWork(repository, keys as SignalKeyStoreWithTransaction, () => (auth.creds as Partial<AuthenticationCreds>).me?.id);
};

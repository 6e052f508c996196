import {
  cleanMessage,
  decodeBinaryNode,
  decryptMessageNode,
  getBinaryNodeChildren,
  type BinaryNode,
  type SignalRepositoryWithLIDStore,
  type WAMessage,
} from '@whiskeysockets/baileys';
import type { BaileysLoggerLike } from './baileys-logger.js';

/**
 * A signal repository for replaying journal entries (inbound-journal-tap.ts): their `enc` children already hold the
 * decrypted bytes, so "decrypting" returns them; whatever else a live decryption does (sessions, sender keys, LID
 * mappings) happened when the message first arrived.
 */
const REPLAY_REPOSITORY = {
  decryptMessage: async ({ ciphertext }: { ciphertext: Uint8Array }) => ciphertext,
  decryptGroupMessage: async ({ msg }: { msg: Uint8Array }) => msg,
  processSenderKeyDistributionMessage: async () => undefined,
  migrateSession: async () => ({ migrated: 0, skipped: 0, total: 0 }),
  lidMapping: {
    getLIDForPN: async () => null,
    getPNForLID: async () => null,
    storeLIDPNMappings: async () => undefined,
  },
} as unknown as SignalRepositoryWithLIDStore;

export interface ReplayedMessage {
  message: WAMessage;
  /** As Baileys would have emitted it: `append` for a message WhatsApp had queued while offline. */
  type: 'notify' | 'append';
  /** The journaled `<message>` node, its `enc` children holding their plaintexts (InboundJournalTap's `redelivered`). */
  stanza: BinaryNode;
}

/**
 * The WAMessage Baileys emitted (or was about to emit) for a journal entry: Baileys' own decryptMessageNode on the
 * journaled node and its plaintexts, then the same cleanMessage. Null when the entry is not a journaled message.
 */
export async function replayedMessage(entry: Buffer, logger: BaileysLoggerLike): Promise<ReplayedMessage | null> {
  const journal = await decodeBinaryNode(entry);
  const meId = journal.attrs.me;
  const stanza = journal.tag === 'journal' ? getBinaryNodeChildren(journal, 'message')[0] : undefined;
  if (!meId || !stanza) return null;
  const meLid = journal.attrs.lid ?? '';
  const { fullMessage, decrypt } = decryptMessageNode(stanza, meId, meLid, REPLAY_REPOSITORY, logger);
  await decrypt();
  cleanMessage(fullMessage, meId, meLid);
  return { message: fullMessage, type: stanza.attrs.offline ? 'append' : 'notify', stanza };
}

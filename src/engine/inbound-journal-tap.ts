import {
  DEFAULT_CONNECTION_CONFIG,
  encodeBinaryNode,
  type AuthenticationCreds,
  type BinaryNode,
  type SignalRepositoryWithLIDStore,
  type SocketConfig,
} from '@whiskeysockets/baileys';
import type { InboundJournal } from './inbound-journal.js';

/** The `enc` types Baileys hands to the signal repository (decode-wa-message.ts); `msmsg` is never decrypted. */
const REPOSITORY_TYPES = new Set(['pkmsg', 'msg', 'skmsg']);
/** Written in place of an `enc` child whose decryption failed: the replay fails it the same way (a CIPHERTEXT stub). */
export const FAILED_ENC_TYPE = 'journal-failed';

/** A `<message>` node on its way through Baileys' decryption: one slot per `enc` child Baileys will decrypt. */
interface InFlight {
  node: BinaryNode;
  /** The decrypted (still padded) bytes of each enc child, null when it failed, undefined while pending. */
  slots: Map<BinaryNode, Uint8Array | null | undefined>;
  remaining: number;
  /** A message the journal already holds (redelivered): not journaled again. */
  known: boolean;
}

/**
 * Puts each inbound message in the InboundJournal BEFORE Baileys sends its delivery receipt, without patching
 * Baileys. Baileys' `handleMessage` awaits `decrypt()` (which awaits the signal repository's `decryptMessage` /
 * `decryptGroupMessage` for each `enc` child), then sends the receipt, then emits `messages.upsert`. So:
 *
 * - `attach(ws)` listens to `CB:message` (first, before Baileys' own handler) and remembers, per ciphertext buffer,
 *   its node; `makeSignalRepository` (the socket config's) wraps Baileys' own repository so that, once the last
 *   `enc` child of a node has been decrypted, the journal entry is written and awaited before the plaintext goes
 *   back to Baileys.
 * - The entry is a binary node: `<journal me lid>` holding the `<message>` node with each `enc` child's content
 *   replaced by its decrypted bytes (encodeBinaryNode: compact, and what inbound-replay.ts decodes with Baileys' own
 *   decryptMessageNode).
 *
 * One tap per socket; ciphertexts without a known node (none today) pass through unjournaled.
 */
export class InboundJournalTap {
  private readonly inFlight = new WeakMap<Uint8Array, { message: InFlight; child: BinaryNode; journaled?: Uint8Array }>();

  /**
   * `redelivered`: `<message>` nodes of journal entries left by an earlier life of the instance (replayed before this
   * socket started: `ReplayedMessage.stanza`), by WhatsApp id. WhatsApp redelivers such a message when
   * that life decrypted it but died before its receipt left. Decrypting it again fails (its message key was used, the
   * session moved on), Baileys answers a retry receipt and the contact restarts its session: after a kill that was
   * dozens of session restarts racing our sends. Its plaintext is in the entry, so the tap hands that to Baileys
   * instead, which receipts the message and emits it as usual (stored once: storage is idempotent on the id).
   */
  constructor(
    private readonly journal: InboundJournal,
    private readonly instanceId: string,
    private readonly creds: AuthenticationCreds,
    private readonly redelivered: ReadonlyMap<string, BinaryNode> = new Map(),
  ) {}


  /** For the socket config: the repository `base` makes (Baileys' default unless given), its decryptions journaled. */
  makeSignalRepository(base: SocketConfig['makeSignalRepository'] = DEFAULT_CONNECTION_CONFIG.makeSignalRepository): SocketConfig['makeSignalRepository'] {
    return (auth, logger, pnToLid) => this.wrap(base(auth, logger, pnToLid));
  }

  /** Sees each `<message>` node before Baileys' handler does (it decrypts after an await; we register at once). */
  attach(ws: { prependListener(event: string, listener: (node: BinaryNode) => void): unknown }): void {
    ws.prependListener('CB:message', (node) => this.onMessageNode(node));
  }

  private onMessageNode(node: BinaryNode): void {
    if (!node.attrs.id || !Array.isArray(node.content)) return;
    const earlier = this.redelivered.get(node.attrs.id);
    const known = !!earlier && earlier.attrs.from === node.attrs.from && earlier.attrs.participant === node.attrs.participant;
    // The journaled node's enc children, in order: the same stanza, each content replaced by its plaintext.
    const plaintexts = known && Array.isArray(earlier.content) ? earlier.content.filter((c) => c.tag === 'enc') : [];
    const message: InFlight = { node, slots: new Map(), remaining: 0, known };
    let encIndex = 0;
    for (const child of node.content) {
      if (child.tag !== 'enc') continue;
      const journaledChild = plaintexts[encIndex++];
      if (!(child.content instanceof Uint8Array) || !REPOSITORY_TYPES.has(child.attrs.type ?? '')) continue;
      message.slots.set(child, undefined);
      message.remaining += 1;
      const journaled = journaledChild && journaledChild.attrs.type === child.attrs.type && journaledChild.content instanceof Uint8Array ? journaledChild.content : undefined;
      this.inFlight.set(child.content, { message, child, ...(journaled ? { journaled } : {}) });
    }
  }

  private wrap(repository: SignalRepositoryWithLIDStore): SignalRepositoryWithLIDStore {
    return {
      ...repository,
      decryptMessage: (opts) => this.journaled(opts.ciphertext, () => repository.decryptMessage(opts)),
      decryptGroupMessage: (opts) => this.journaled(opts.msg, () => repository.decryptGroupMessage(opts)),
    };
  }

  private async journaled(ciphertext: Uint8Array, decrypt: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const known = this.inFlight.get(ciphertext);
    if (!known) return decrypt();
    this.inFlight.delete(ciphertext);
    if (known.journaled) {
      // Redelivered after an earlier life decrypted it (see the constructor): its plaintext, no session touched.
      await this.fill(known.message, known.child, known.journaled);
      return known.journaled;
    }
    let plaintext: Uint8Array;
    try {
      plaintext = await decrypt();
    } catch (err) {
      await this.fill(known.message, known.child, null);
      throw err;
    }
    await this.fill(known.message, known.child, plaintext);
    return plaintext;
  }

  /** Records one child's outcome; after the last one, writes the entry if anything was decrypted. */
  private async fill(message: InFlight, child: BinaryNode, plaintext: Uint8Array | null): Promise<void> {
    if (message.slots.get(child) !== undefined) return;
    message.slots.set(child, plaintext);
    message.remaining -= 1;
    if (message.remaining > 0) return;
    if (message.known) return; // the journal has it already
    if (![...message.slots.values()].some((p) => p instanceof Uint8Array)) return; // nothing to replay: WhatsApp retries it
    const me = this.creds.me;
    if (!me?.id) return;
    await this.journal.record(this.instanceId, message.node.attrs.id!, encodeJournalEntry(message.node, message.slots, me));
  }
}

/**
 * A journal entry: `<journal me lid>` holding the `<message>` node, each of its `enc` children in `decrypted` with its
 * decrypted bytes as content (or marked failed when null). What inbound-replay.ts reads.
 */
export function encodeJournalEntry(node: BinaryNode, decrypted: Map<BinaryNode, Uint8Array | null | undefined>, me: { id: string; lid?: string | undefined }): Uint8Array {
  const children = (Array.isArray(node.content) ? node.content : []).map((child): BinaryNode => {
    if (!decrypted.has(child)) return child;
    const plaintext = decrypted.get(child);
    return plaintext
      ? { tag: 'enc', attrs: child.attrs, content: plaintext }
      : { tag: 'enc', attrs: { ...child.attrs, type: FAILED_ENC_TYPE }, content: new Uint8Array(0) };
  });
  const attrs: Record<string, string> = me.lid ? { me: me.id, lid: me.lid } : { me: me.id };
  return encodeBinaryNode({ tag: 'journal', attrs, content: [{ tag: node.tag, attrs: node.attrs, content: children }] });
}

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AuthCipher } from '../crypto/auth-cipher.js';
import type { InboundSettlement } from './engine-types.js';
import { errorMessage } from './error-message.js';
import { isRedisUnreachable } from './redis-auth-state.js';
import { sleep } from './sleep.js';

export interface InboundJournalOptions {
  redis: Redis;
  /** Global key prefix: entries live in the hash `<prefix>:inbound:<instanceId>`. */
  keyPrefix: string;
  /** 32 bytes (ENCRYPTION_KEY): entries hold message plaintexts, encrypted like the auth state. */
  encryptionKey: Buffer;
  logger: Logger;
  /** Backstop for entries nothing settles: an instance's hash expires this long after its last write (7 days). */
  ttlMs?: number;
  /** How long a write waits for an unreachable Redis before the message goes on unjournaled (default 120 s). */
  writeRetryMs?: number;
  /** At most this many entries handed out for replay per call (default 1000; the rest at the next call). */
  replayLimit?: number;
}

/** One journaled inbound message: its WhatsApp id and the entry (an encoded node, see inbound-journal-tap.ts). */
export interface JournalEntry {
  messageId: string;
  entry: Buffer;
}

const DAY_MS = 24 * 3600_000;

/**
 * Inbound messages between WhatsApp's delivery receipt and our Postgres commit, in Redis.
 *
 * Baileys receipts a message (WhatsApp will not send it again) before it hands it to us; the tap writes the
 * decrypted message here first (record(), awaited inside the decryption, so before the receipt), the services tell
 * us when it is stored (settled()), and a socket start replays what is left (pending()): a crash or a `kill -9`
 * between the receipt and the commit, even during a Postgres outage, loses nothing.
 *
 * Layout: one hash per instance, `<prefix>:inbound:<instanceId>`, field = WhatsApp message id, value = the entry
 * encrypted with AES-256-GCM (AuthCipher, bound to instance and id). Per message: one pipelined HSET + PEXPIRE, one
 * HDEL. Ids journaled or handed out for replay by this process are remembered until settled, so a settle costs a
 * Redis call only for a message that has an entry, and a second replay in the same process skips messages whose
 * events are still on their way to the store.
 */
export class InboundJournal implements InboundSettlement {
  private readonly redis: Redis;
  private readonly keyPrefix: string;
  private readonly cipher: AuthCipher;
  private readonly log: Logger;
  readonly ttlMs: number;
  private readonly writeRetryMs: number;
  private readonly replayLimit: number;
  /** Per instance: ids with an entry written or handed out by this process and not settled yet. */
  private readonly live = new Map<string, Set<string>>();

  constructor(options: InboundJournalOptions) {
    this.redis = options.redis;
    this.keyPrefix = options.keyPrefix;
    this.cipher = new AuthCipher(options.encryptionKey);
    this.log = options.logger.child({ component: 'inbound-journal' });
    this.ttlMs = options.ttlMs ?? 7 * DAY_MS;
    this.writeRetryMs = options.writeRetryMs ?? 120_000;
    this.replayLimit = options.replayLimit ?? 1000;
  }

  /** The hash of an instance's entries. */
  key(instanceId: string): string {
    return `${this.keyPrefix}:inbound:${instanceId}`;
  }

  /**
   * Writes an entry and resolves once Redis has it. While Redis is unreachable, tries again (backoff up to 2 s) for
   * up to `writeRetryMs`, then gives up with a warning (the message goes on as it would without a journal): never
   * throws, since a throw here would turn a decrypted message into a decryption failure.
   */
  async record(instanceId: string, messageId: string, entry: Uint8Array): Promise<boolean> {
    this.liveOf(instanceId).add(messageId);
    const key = this.key(instanceId);
    const value = this.cipher.encryptBytes(entry, this.aad(instanceId, messageId));
    const deadline = Date.now() + this.writeRetryMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const results = await this.redis.pipeline().hset(key, messageId, value).pexpire(key, this.ttlMs).exec();
        for (const [err] of results ?? []) if (err) throw err;
        if (attempt > 1) this.log.info({ instanceId, messageId, attempt }, 'inbound journal write landed after Redis came back');
        return true;
      } catch (err) {
        if (!isRedisUnreachable(err) || Date.now() > deadline) {
          this.log.warn({ instanceId, messageId, err: errorMessage(err) }, 'inbound journal write failed; the message goes on unjournaled');
          return false;
        }
        if (attempt === 1) this.log.warn({ instanceId, messageId, err: errorMessage(err) }, 'inbound journal write waits: Redis unreachable');
        await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 5)));
      }
    }
  }

  /** The message is stored (or needs no storing): its entry goes. Fire and forget; a failed delete only means a replay later. */
  settled(instanceId: string, messageId: string): void {
    const live = this.live.get(instanceId);
    if (!live?.delete(messageId)) return;
    if (live.size === 0) this.live.delete(instanceId);
    this.redis.hdel(this.key(instanceId), messageId).catch((err: unknown) => {
      this.log.warn({ instanceId, messageId, err: errorMessage(err) }, 'inbound journal delete failed; the entry will be replayed (idempotent)');
    });
  }

  /** An entry that can never become a message (unreadable, too old): deleted without replay. */
  async drop(instanceId: string, messageIds: string[]): Promise<void> {
    if (messageIds.length === 0) return;
    const live = this.live.get(instanceId);
    for (const id of messageIds) live?.delete(id);
    await this.redis.hdel(this.key(instanceId), ...messageIds);
  }

  /**
   * Entries left by an earlier life of the instance (a crashed process, another node), at most `replayLimit`, to be
   * replayed; ids this process already has on their way are skipped. Each one returned counts as on its way now (a
   * settle removes it). Entries that cannot be decrypted are deleted.
   */
  async pending(instanceId: string): Promise<JournalEntry[]> {
    const key = this.key(instanceId);
    const live = this.liveOf(instanceId);
    const found: JournalEntry[] = [];
    const unreadable: string[] = [];
    const seen = new Set<string>(); // HSCAN may return a field twice
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscanBuffer(key, cursor, 'COUNT', 200);
      cursor = next.toString();
      for (let i = 0; i + 1 < flat.length && found.length < this.replayLimit; i += 2) {
        const messageId = flat[i]!.toString();
        if (live.has(messageId) || seen.has(messageId)) continue;
        seen.add(messageId);
        try {
          found.push({ messageId, entry: this.cipher.decryptBytes(flat[i + 1]!.toString(), this.aad(instanceId, messageId)) });
        } catch (err) {
          this.log.warn({ instanceId, messageId, err: errorMessage(err) }, 'unreadable inbound journal entry dropped');
          unreadable.push(messageId);
        }
      }
    } while (cursor !== '0' && found.length < this.replayLimit);
    if (cursor !== '0') this.log.warn({ instanceId, replayed: found.length }, 'inbound journal holds more entries than one replay takes; the rest at the next start');
    await this.drop(instanceId, unreadable);
    for (const { messageId } of found) live.add(messageId);
    return found;
  }

  /** Every entry of an instance (DELETE of the instance). */
  async clear(instanceId: string): Promise<void> {
    this.live.delete(instanceId);
    await this.redis.del(this.key(instanceId));
  }

  private liveOf(instanceId: string): Set<string> {
    let live = this.live.get(instanceId);
    if (!live) {
      live = new Set();
      this.live.set(instanceId, live);
    }
    return live;
  }

  private aad(instanceId: string, messageId: string): string {
    return `${instanceId}:inbound:${messageId}`;
  }
}

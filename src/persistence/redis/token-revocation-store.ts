import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { LruMap } from '../../lru-map.js';
import type { RedisKeys } from './redis-keys.js';

export interface RevocationWatchOptions {
  logger: Logger;
  /** Most session ids remembered as not revoked (default 10,000; oldest first out). */
  maxEntries?: number;
  /** A remembered answer is read again from Redis after this long even if no revocation was heard (default 30 s). */
  ttlMs?: number;
}

/**
 * Revoked session tokens (by jti), kept in Redis until the token would have expired anyway. Every revocation is
 * also published on `<prefix>:auth:revoked`.
 *
 * With `watch`, a node remembers the ids it found not revoked, so a client's next requests cost no Redis round
 * trip. The memo is only used while this store's subscriber to that channel is connected and subscribed: a
 * revocation heard there, or made here, forgets the id at once, and a lost subscription forgets everything until
 * it is back. An answer read from Redis is remembered only when no revocation and no loss of the subscription
 * came between the read and its reply (an epoch counts them), so a revocation that races a read is never missed.
 * Without `watch` every check reads Redis.
 */
export class TokenRevocationStore {
  private readonly channel: string;
  private readonly notRevoked: LruMap<string, number>;
  private subscriber: Redis | null = null;
  /** Subscribed and connected: the memo holds. */
  private live = false;
  /** Bumped by every revocation heard or made and every change of `live`. */
  private epoch = 0;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly watch?: RevocationWatchOptions,
  ) {
    this.channel = keys.key('auth', 'revoked');
    this.notRevoked = new LruMap(watch ? (watch.maxEntries ?? 10_000) : 0);
  }

  async revoke(jti: string, ttlSeconds: number): Promise<void> {
    this.forget(jti);
    await this.redis.set(this.keys.key('auth', 'revoked', jti), '1', 'EX', Math.max(1, Math.ceil(ttlSeconds)));
    await this.redis.publish(this.channel, jti);
  }

  async isRevoked(jti: string): Promise<boolean> {
    if (this.watch && !this.closed) {
      if (this.live) {
        const at = this.notRevoked.get(jti);
        if (at !== undefined && Date.now() - at < (this.watch.ttlMs ?? 30_000)) return false;
      } else if (this.subscriber === null) {
        this.startWatching();
      }
    }
    const epoch = this.epoch;
    const revoked = (await this.redis.exists(this.keys.key('auth', 'revoked', jti))) === 1;
    if (!revoked && this.live && epoch === this.epoch) this.notRevoked.set(jti, Date.now());
    return revoked;
  }

  /** Ids remembered as not revoked, and whether the memo is in use (for tests and metrics). */
  get memo(): { entries: number; live: boolean } {
    return { entries: this.notRevoked.size, live: this.live };
  }

  /** Closes the subscriber; later checks read Redis. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.setLive(false);
    const subscriber = this.subscriber;
    this.subscriber = null;
    if (!subscriber) return;
    try {
      await subscriber.quit();
    } catch {
      subscriber.disconnect();
    }
  }

  private forget(jti: string): void {
    this.epoch++;
    this.notRevoked.delete(jti);
  }

  private setLive(live: boolean): void {
    this.epoch++;
    this.live = live;
    if (!live) this.notRevoked.clear();
  }

  private startWatching(): void {
    const logger = this.watch!.logger;
    // Resubscribing is ours (on `ready`), so `live` turns true only once the channel is confirmed.
    const subscriber = this.redis.duplicate({ lazyConnect: true, autoResubscribe: false });
    this.subscriber = subscriber;
    subscriber.on('error', (err: Error) => logger.warn({ err: err.message }, 'token revocation subscriber error'));
    subscriber.on('message', (_channel: string, jti: string) => this.forget(jti));
    subscriber.on('close', () => this.setLive(false));
    subscriber.on('ready', () => {
      subscriber.subscribe(this.channel).then(
        () => {
          if (!this.closed && subscriber.status === 'ready') this.setLive(true);
        },
        (err: unknown) => logger.warn({ err }, 'subscribing to token revocations failed (checks read Redis)'),
      );
    });
    subscriber.connect().catch((err: unknown) => logger.warn({ err }, 'token revocation subscriber did not connect (checks read Redis)'));
  }
}

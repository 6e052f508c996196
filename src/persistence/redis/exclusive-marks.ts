import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Short-lived exclusive marks in Redis, shared by every node (e.g. "this instance is being deleted"): SET NX with an
 * expiry, so a node that dies while holding one frees it after `ttlMs`. Only the holder's token can release it.
 */
export class ExclusiveMarks {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly namespace: string,
    private readonly ttlMs: number,
  ) {}

  /** The release function when the mark was free (and is now ours), null when someone holds it. */
  async tryAcquire(id: string): Promise<(() => Promise<void>) | null> {
    const key = this.keys.key(this.namespace, id);
    const token = randomBytes(12).toString('hex');
    const ok = await this.redis.set(key, token, 'PX', this.ttlMs, 'NX');
    if (ok !== 'OK') return null;
    return async () => {
      await this.redis.eval(RELEASE, 1, key, token);
    };
  }
}

import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';

export interface WindowCount {
  count: number;
  /** Seconds until the window resets (0 when there is no window). */
  ttlSeconds: number;
}

/** Fixed-window counters in Redis, e.g. failed logins per email and per IP. */
export class WindowCounter {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly namespace: string,
  ) {}

  async get(id: string): Promise<WindowCount> {
    const key = this.keys.key('rl', this.namespace, id);
    const [[, count], [, ttl]] = (await this.redis.multi().get(key).ttl(key).exec()) as [
      [Error | null, string | null],
      [Error | null, number],
    ];
    return { count: Number(count ?? 0), ttlSeconds: Math.max(0, ttl) };
  }

  /** Adds one; the window starts with the first hit. */
  async hit(id: string, windowSeconds: number): Promise<number> {
    const key = this.keys.key('rl', this.namespace, id);
    const [[, count]] = (await this.redis.multi().incr(key).expire(key, windowSeconds, 'NX').exec()) as [
      [Error | null, number],
      unknown,
    ];
    return count;
  }

  async reset(id: string): Promise<void> {
    await this.redis.del(this.keys.key('rl', this.namespace, id));
  }
}

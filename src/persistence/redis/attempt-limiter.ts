import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';

/** One counter the attempt must fit under: at most `max` per `windowSeconds` (a fixed window from the first). */
export interface AttemptBucket {
  namespace: string;
  id: string;
  max: number;
  windowSeconds: number;
}

export type AttemptDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Counts and checks in one step (a Lua script: INCR with expiry on every bucket, then compare), so parallel attempts
 * cannot all read "under the limit" before any of them is counted. A refused attempt gives its counts back, so a
 * flood of refused attempts does not keep the other buckets full.
 */
const RESERVE = `
local n = #KEYS
local counts = {}
for i = 1, n do
  counts[i] = redis.call('INCR', KEYS[i])
  if counts[i] == 1 then redis.call('EXPIRE', KEYS[i], ARGV[n + i]) end
end
local retry = 0
for i = 1, n do
  if counts[i] > tonumber(ARGV[i]) then
    local ttl = redis.call('TTL', KEYS[i])
    if ttl > retry then retry = ttl end
    if ttl < 1 and retry < 1 then retry = 1 end
  end
end
if retry > 0 then
  for i = 1, n do redis.call('DECR', KEYS[i]) end
end
return retry
`;

/** Attempt counters in Redis (failed logins per email+IP and per IP, signups per IP), shared by every node. */
export class AttemptLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  private keyOf(bucket: Pick<AttemptBucket, 'namespace' | 'id'>): string {
    return this.keys.key('rl', bucket.namespace, bucket.id);
  }

  /** Counts one attempt in every bucket, atomically; refused (and not counted) when any bucket is over its limit. */
  async reserve(buckets: AttemptBucket[]): Promise<AttemptDecision> {
    const retry = (await this.redis.eval(
      RESERVE,
      buckets.length,
      ...buckets.map((b) => this.keyOf(b)),
      ...buckets.map((b) => String(b.max)),
      ...buckets.map((b) => String(b.windowSeconds)),
    )) as number;
    return retry > 0 ? { allowed: false, retryAfterSeconds: retry } : { allowed: true };
  }

  /** Takes back one counted attempt (it turned out not to be a failure). */
  async release(bucket: Pick<AttemptBucket, 'namespace' | 'id'>): Promise<void> {
    const key = this.keyOf(bucket);
    await this.redis.eval(`if redis.call('GET', KEYS[1]) and tonumber(redis.call('GET', KEYS[1])) > 0 then return redis.call('DECR', KEYS[1]) end return 0`, 1, key);
  }

  async reset(bucket: Pick<AttemptBucket, 'namespace' | 'id'>): Promise<void> {
    await this.redis.del(this.keyOf(bucket));
  }
}

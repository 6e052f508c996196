import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedis } from '../../src/persistence/redis/create-redis.js';
import { deleteKeysMatching } from '../../src/persistence/redis/scan-keys.js';

export const testRedisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestRedis {
  redis: Redis;
  /** Unique per test file: every key the app writes starts with it. */
  prefix: string;
  /** Deletes this file's keys and disconnects; safe to call twice. */
  close(): Promise<void>;
}

export async function createTestRedis(): Promise<TestRedis> {
  const prefix = `zaptest:${randomBytes(6).toString('hex')}`;
  const redis = createRedis(testRedisUrl, { connectionName: prefix });
  await redis.connect();
  let closed = false;
  return {
    redis,
    prefix,
    async close() {
      if (closed) return;
      closed = true;
      await deleteKeysMatching(redis, `${prefix}:*`);
      await redis.quit();
    },
  };
}

import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { deleteKeysMatching, keysMatching } from '../../../src/persistence/redis/scan-keys.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A unique key prefix per test file, so parallel files and engineers never collide. */
export function uniquePrefix(name: string): string {
  return `test:${name}:${randomBytes(4).toString('hex')}`;
}

export function connectRedis(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: false });
}

/** Every key under `<prefix>:`. */
export function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  return keysMatching(redis, `${prefix}:*`);
}

export async function deleteUnder(redis: Redis, prefix: string): Promise<void> {
  await deleteKeysMatching(redis, `${prefix}:*`);
}

import type { Redis } from 'ioredis';

/** The keys matching `pattern`, a SCAN page at a time (SCAN, never KEYS: it does not block Redis). */
async function* keyPages(redis: Redis, pattern: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}

/** Every key matching `pattern`. */
export async function keysMatching(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  for await (const keys of keyPages(redis, pattern)) found.push(...keys);
  return found;
}

/** Deletes every key matching `pattern`, a page at a time; returns how many went. */
export async function deleteKeysMatching(redis: Redis, pattern: string): Promise<number> {
  let deleted = 0;
  for await (const keys of keyPages(redis, pattern)) deleted += await redis.del(...keys);
  return deleted;
}

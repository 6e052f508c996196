import type { Redis } from 'ioredis';
import pino from 'pino';
import { RedisKeys } from '../../../src/persistence/redis/redis-keys.js';
import { TokenRevocationStore, type RevocationWatchOptions } from '../../../src/persistence/redis/token-revocation-store.js';
import { createTestRedis, type TestRedis } from '../../support/redis.js';
import { waitFor } from '../../support/webhook-receiver.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await createTestRedis();
});
afterAll(async () => {
  await redis.close();
});

const logger = pino({ level: 'silent' });

/** A node's store on its own connection, counting the EXISTS reads it sends to Redis. */
interface Node {
  store: TokenRevocationStore;
  connection: Redis;
  reads(): number;
  /** Holds EXISTS replies back until the returned release is called. */
  holdReplies(): () => void;
  close(): Promise<void>;
}
const nodes: Node[] = [];
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.close();
});

function node(watch: Omit<RevocationWatchOptions, 'logger'> | false = {}): Node {
  const connection = redis.redis.duplicate();
  const store = new TokenRevocationStore(connection, new RedisKeys(redis.prefix), watch === false ? undefined : { logger, ...watch });
  let reads = 0;
  let gate: Promise<void> | null = null;
  const exists = connection.exists.bind(connection) as (key: string) => Promise<number>;
  (connection as unknown as { exists: (key: string) => Promise<number> }).exists = async (key: string) => {
    reads++;
    const reply = await exists(key);
    if (gate) await gate;
    return reply;
  };
  const n: Node = {
    store,
    connection,
    reads: () => reads,
    holdReplies() {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = null;
        release();
      };
    },
    async close() {
      await store.close();
      connection.disconnect();
    },
  };
  nodes.push(n);
  return n;
}

/** Subscribed pub/sub clients named after this file's prefix (the stores' subscribers). */
async function subscriberIds(): Promise<string[]> {
  const list = (await redis.redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
  return list
    .split('\n')
    .filter((line) => line.includes(` name=${redis.prefix} `))
    .map((line) => /(?:^|\s)id=(\d+)/.exec(line)![1]!);
}

async function live(n: Node): Promise<void> {
  await n.store.isRevoked('warm-up');
  await waitFor(() => n.store.memo.live, 5000, 'the revocation subscription');
}

describe('TokenRevocationStore', () => {
  it('without watch reads Redis for every check', async () => {
    const a = node(false);
    for (let i = 0; i < 3; i++) expect(await a.store.isRevoked('jti-plain')).toBe(false);
    expect(a.reads()).toBe(3);
    await a.store.revoke('jti-plain', 60);
    expect(await a.store.isRevoked('jti-plain')).toBe(true);
    expect(await subscriberIds()).toEqual([]);
  });

  it('once subscribed, remembers a session found not revoked: later checks cost no Redis read', async () => {
    const a = node();
    await live(a);
    const before = a.reads();
    expect(await a.store.isRevoked('jti-1')).toBe(false);
    expect(await a.store.isRevoked('jti-1')).toBe(false);
    expect(await a.store.isRevoked('jti-1')).toBe(false);
    expect(a.reads() - before).toBe(1);
    expect(a.store.memo.entries).toBeGreaterThanOrEqual(1);
  });

  it('a revocation made on this node holds at once; one made on another node as soon as it is heard', async () => {
    const a = node();
    const b = node();
    await live(a);
    await live(b);
    expect(await a.store.isRevoked('jti-here')).toBe(false);
    expect(await a.store.isRevoked('jti-there')).toBe(false);
    await a.store.revoke('jti-here', 60);
    expect(await a.store.isRevoked('jti-here')).toBe(true);

    await b.store.revoke('jti-there', 60);
    await waitFor(async () => await a.store.isRevoked('jti-there'), 5000, 'the other node to hear the revocation');
    // Heard, so read again from Redis, and it stays revoked.
    expect(await a.store.isRevoked('jti-there')).toBe(true);
  });

  it('does not remember a "not revoked" read whose reply comes after a revocation was heard', async () => {
    const a = node();
    const b = node();
    await live(a);
    const release = a.holdReplies();
    const racing = a.store.isRevoked('jti-race'); // Redis answers 0; the reply is held
    await waitFor(() => a.reads() > 0, 5000, 'the read to be sent');
    await b.store.revoke('jti-race', 60);
    // Long enough for a's subscriber to hear it on loopback (a store that ignored it would now remember `false`).
    await new Promise((r) => setTimeout(r, 200));
    release();
    expect(await racing).toBe(false); // what Redis said when it was asked
    expect(await a.store.isRevoked('jti-race')).toBe(true); // not remembered as "not revoked"
  });

  it('forgets everything when its subscription is lost, reads Redis meanwhile, and is back once resubscribed', async () => {
    const a = node();
    const b = node(false);
    await live(a);
    expect(await a.store.isRevoked('jti-lost')).toBe(false);
    const ids = await subscriberIds();
    expect(ids).toHaveLength(1);
    await redis.redis.call('CLIENT', 'KILL', 'ID', ids[0]!);
    await waitFor(() => !a.store.memo.live, 5000, 'the subscription to be seen lost');
    expect(a.store.memo.entries).toBe(0);
    // Published while a was not subscribed: a must still see it.
    await b.store.revoke('jti-lost', 60);
    const before = a.reads();
    expect(await a.store.isRevoked('jti-lost')).toBe(true);
    expect(a.reads() - before).toBe(1);
    await waitFor(() => a.store.memo.live, 10_000, 'the subscription to come back');
    expect(await a.store.isRevoked('jti-after')).toBe(false);
    const after = a.reads();
    expect(await a.store.isRevoked('jti-after')).toBe(false);
    expect(a.reads()).toBe(after);
  });

  it('reads Redis again once a remembered answer is older than ttlMs', async () => {
    const a = node({ ttlMs: 50 });
    await live(a);
    expect(await a.store.isRevoked('jti-ttl')).toBe(false);
    const before = a.reads();
    await new Promise((r) => setTimeout(r, 80));
    expect(await a.store.isRevoked('jti-ttl')).toBe(false);
    expect(a.reads() - before).toBe(1);
  });

  it('close() ends the subscription; later checks read Redis', async () => {
    const a = node();
    await live(a);
    expect(await subscriberIds()).toHaveLength(1);
    await a.store.close();
    await a.store.close();
    await waitFor(async () => (await subscriberIds()).length === 0, 5000, 'the subscriber to leave');
    const before = a.reads();
    expect(await a.store.isRevoked('jti-closed')).toBe(false);
    expect(await a.store.isRevoked('jti-closed')).toBe(false);
    expect(a.reads() - before).toBe(2);
  });
});

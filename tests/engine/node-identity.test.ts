/**
 * Node identity on a real Redis: a stable NODE_ID with a boot id per process and a short-lived liveness key.
 * A restarted process (same NODE_ID, new boot) takes its previous life's leases back at once; a second LIVE
 * process with the same NODE_ID is refused; another node adopts a dead process's leases once its liveness key is
 * gone, not after the lease TTL; the API's presence check follows the same keys.
 */
import type { Redis } from 'ioredis';
import pino from 'pino';
import { LeaseManager } from '../../src/engine/lease-manager.js';
import { NodeIdentity, NodeIdentityInUseError } from '../../src/engine/node-identity.js';
import { SocketConfirmations } from '../../src/engine/socket-confirmations.js';
import { RedisKeys } from '../../src/persistence/redis/redis-keys.js';
import { SocketPresenceReader } from '../../src/persistence/redis/socket-presence-reader.js';
import { connectRedis, deleteUnder, uniquePrefix } from './support/redis.js';

const prefix = uniquePrefix('engine-identity');
const logger = pino({ level: 'silent' });
const LIVENESS_MS = 600;
const LEASE_MS = 60_000; // far longer than the test: only the liveness key may let a lease go
let redis: Redis;
const closers: Array<() => unknown> = [];

beforeAll(() => {
  redis = connectRedis();
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
afterAll(async () => {
  await deleteUnder(redis, prefix);
  redis.disconnect();
});

/** One process: its identity (claimed) and its lease manager. */
async function boot(nodeId: string): Promise<{ identity: NodeIdentity; leases: LeaseManager }> {
  const identity = new NodeIdentity({ redis, keyPrefix: prefix, nodeId, logger, ttlMs: LIVENESS_MS });
  await identity.claim();
  const leases = new LeaseManager({ redis, keyPrefix: prefix, nodeId, bootId: identity.bootId, logger, ttlMs: LEASE_MS });
  closers.push(() => identity.close(), () => leases.close());
  return { identity, leases };
}

/** kill -9: nothing renewed, nothing released. */
function kill(p: { identity: NodeIdentity; leases: LeaseManager }): void {
  p.identity.abandon();
  p.leases.abandon();
}

describe('NodeIdentity and boot-aware leases', () => {
  it('a restarted process (same NODE_ID) takes its previous life\'s leases back without waiting for the lease TTL', async () => {
    const first = await boot('node-r');
    expect(await first.leases.acquireMany(['r1', 'r2'])).toEqual(['r1', 'r2']);
    expect(await redis.get(`${prefix}:lease:r1`)).toBe(`node-r#${first.identity.bootId}`);
    kill(first);

    const second = await boot('node-r'); // waits until the old liveness key expired
    expect(second.identity.bootId).not.toBe(first.identity.bootId);
    expect(await second.leases.acquireMany(['r1', 'r2'])).toEqual(['r1', 'r2']);
    expect(second.leases.takeTakeover('r1')).toBe(true); // reported so the old `connected` is corrected
    expect(second.leases.takeTakeover('r1')).toBe(false);
    expect(await redis.get(`${prefix}:lease:r2`)).toBe(`node-r#${second.identity.bootId}`);
    expect(await redis.pttl(`${prefix}:lease:r2`)).toBeGreaterThan(LEASE_MS - 5000);
  });

  it('refuses a second live process with the same NODE_ID', async () => {
    await boot('node-dup');
    const twin = new NodeIdentity({ redis, keyPrefix: prefix, nodeId: 'node-dup', logger, ttlMs: LIVENESS_MS });
    await expect(twin.claim()).rejects.toBeInstanceOf(NodeIdentityInUseError);
    await expect(twin.claim()).rejects.toThrow('NODE_ID "node-dup" is in use by another live process');
  });

  it('another node leaves a live node\'s lease alone and adopts a killed node\'s once its liveness key is gone', async () => {
    const a = await boot('node-a');
    const b = await boot('node-b');
    expect(await a.leases.acquire('x1')).toBe(true);
    expect(await b.leases.acquire('x1')).toBe(false);
    kill(a);
    expect(await b.leases.acquire('x1')).toBe(false); // the liveness key has not expired yet
    await new Promise((r) => setTimeout(r, LIVENESS_MS + 200));
    expect(await b.leases.acquire('x1')).toBe(true);
    expect(b.leases.takeTakeover('x1')).toBe(true);
    expect(await b.leases.owner('x1')).toBe('node-b');
  });

  it('a process whose NODE_ID was taken by another boot loses every lease and cannot take any', async () => {
    const old = await boot('node-z');
    await old.leases.acquire('z1');
    const lost: string[] = [];
    old.leases.onLost = (id) => lost.push(id);
    // Another boot claimed the identity while this one was away (e.g. paused past the liveness TTL).
    await redis.set(`${prefix}:alive:node-z`, 'another-boot', 'PX', 60_000);
    await old.leases.renewAll();
    expect(lost).toEqual(['z1']);
    expect(await old.leases.acquire('z2')).toBe(false);
    expect(await old.identity.heartbeat()).toBe(false);
  });

  it('the presence check: connected only while the confirming boot is the live one', async () => {
    const reader = new SocketPresenceReader(redis, new RedisKeys(prefix));
    const p = await boot('node-p');
    const sockets = new SocketConfirmations({ redis, keyPrefix: prefix, holder: p.identity.holder, logger });
    closers.push(() => sockets.close([]));
    sockets.note('p1', true);
    sockets.note('p2', true);
    await sockets.flush();
    expect([...(await reader.live(['p1', 'p2', 'p3']))].sort()).toEqual(['p1', 'p2']);
    sockets.note('p2', false);
    await sockets.flush();
    expect([...(await reader.live(['p1', 'p2']))]).toEqual(['p1']);

    kill(p);
    sockets.abandon();
    await new Promise((r) => setTimeout(r, LIVENESS_MS + 200));
    expect(await reader.live(['p1'])).toEqual(new Set());
    // The restarted process has not confirmed its socket yet: still not live.
    await boot('node-p');
    expect(await reader.live(['p1'])).toEqual(new Set());
  });
});

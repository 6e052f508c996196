import type { Redis } from 'ioredis';
import pino from 'pino';
import { LeaseManager } from '../../src/engine/lease-manager.js';
import { connectRedis, deleteUnder, uniquePrefix } from './support/redis.js';

const prefix = uniquePrefix('engine-lease');
const logger = pino({ level: 'silent' });
let redis: Redis;
const managers: LeaseManager[] = [];

beforeAll(() => {
  redis = connectRedis();
});
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});
afterAll(async () => {
  await deleteUnder(redis, prefix);
  redis.disconnect();
});

const manager = (nodeId: string, ttlMs = 30_000, onLost?: (id: string) => void) => {
  const m = new LeaseManager({ redis, keyPrefix: prefix, nodeId, logger, ttlMs, onLost });
  managers.push(m);
  return m;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LeaseManager', () => {
  it('gives a lease to one node only, with the TTL, under <prefix>:lease:<id>', async () => {
    const a = manager('node-a');
    const b = manager('node-b');
    await expect(a.acquire('i1')).resolves.toBe(true);
    await expect(b.acquire('i1')).resolves.toBe(false);
    await expect(a.acquire('i1')).resolves.toBe(true); // re-entrant for the holder
    expect(await redis.get(`${prefix}:lease:i1`)).toBe('node-a');
    const ttl = await redis.pttl(`${prefix}:lease:i1`);
    expect(ttl).toBeGreaterThan(29_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
    await expect(b.owner('i1')).resolves.toBe('node-a');
  });

  it('acquires many in one round trip, skipping those held elsewhere', async () => {
    const a = manager('node-a');
    const b = manager('node-b');
    await b.acquire('m2');
    await expect(a.acquireMany(['m1', 'm2', 'm3'])).resolves.toEqual(['m1', 'm3']);
    expect(a.heldIds().sort()).toEqual(['m1', 'm3']);
  });

  it('keeps a lease alive past its TTL by renewing every ttl/3', async () => {
    const a = manager('node-a', 300);
    await a.acquire('r1');
    a.start();
    await sleep(900);
    expect(await redis.get(`${prefix}:lease:r1`)).toBe('node-a');
  });

  it('lets a lease expire when its node stops renewing (crash), so another node can adopt it', async () => {
    const a = manager('node-a', 300);
    const b = manager('node-b', 300);
    await a.acquire('c1');
    a.abandon();
    await expect(b.acquire('c1')).resolves.toBe(false);
    await sleep(400);
    await expect(b.acquire('c1')).resolves.toBe(true);
  });

  it('reports a lease found taken or missing on renew through onLost', async () => {
    const lost: string[] = [];
    const a = manager('node-a', 30_000, (id) => lost.push(id));
    await a.acquire('l1');
    await a.acquire('l2');
    await a.acquire('l3');
    await redis.set(`${prefix}:lease:l1`, 'node-x');
    await redis.del(`${prefix}:lease:l2`);
    await a.renewAll();
    expect(lost.sort()).toEqual(['l1', 'l2']);
    expect(a.heldIds()).toEqual(['l3']);
    expect(await redis.get(`${prefix}:lease:l1`)).toBe('node-x');
  });

  it('takes a lease back when its renewal came a whole TTL late and nobody took it (a starved event loop), never one held elsewhere', async () => {
    const lost: string[] = [];
    let now = Date.now();
    const a = new LeaseManager({ redis, keyPrefix: prefix, nodeId: 'node-a', logger, ttlMs: 30_000, onLost: (id) => lost.push(id), now: () => now });
    await a.acquire('s1');
    await a.acquire('s2');
    // The renew loop was starved for longer than the TTL: both keys expired, another node took s2 meanwhile.
    now += 31_000;
    await redis.del(`${prefix}:lease:s1`);
    await redis.set(`${prefix}:lease:s2`, 'node-x');
    await a.renewAll();
    expect(lost).toEqual(['s2']);
    expect(a.heldIds()).toEqual(['s1']);
    expect(await redis.get(`${prefix}:lease:s1`)).toBe('node-a');
    expect(await redis.pttl(`${prefix}:lease:s1`)).toBeGreaterThan(29_000);
    await a.close();
  });

  it('releases only its own leases (compare-and-delete), and all of them on close', async () => {
    const a = manager('node-a');
    await a.acquire('x1');
    await a.acquire('x2');
    await redis.set(`${prefix}:lease:x3`, 'node-b');
    await a.release('x3');
    expect(await redis.get(`${prefix}:lease:x3`)).toBe('node-b');
    await a.release('x1');
    expect(await redis.get(`${prefix}:lease:x1`)).toBeNull();
    await a.close();
    await a.close();
    expect(await redis.get(`${prefix}:lease:x2`)).toBeNull();
  });
});

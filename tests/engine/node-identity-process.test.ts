/**
 * NodeIdentity across real processes on this machine: a process killed with SIGKILL is proven dead by its successor
 * (same host, kernel boot and pid namespace, pid gone), which claims the NODE_ID at once instead of waiting for the
 * liveness TTL; in every case that proves nothing (the process is alive, even stopped; another host, kernel boot or
 * pid namespace) the successor waits the TTL out, and a live process is never joined by a second one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { LeaseManager } from '../../src/engine/lease-manager.js';
import { NodeIdentity, NodeIdentityInUseError } from '../../src/engine/node-identity.js';
import { currentFingerprint, type ProcessFingerprint } from '../../src/engine/process-fingerprint.js';
import { connectRedis, deleteUnder, REDIS_URL, uniquePrefix } from './support/redis.js';

const prefix = uniquePrefix('engine-identity-process');
const logger = pino({ level: 'silent' });
const SHORT_MS = 600;
/** Far longer than a test: a claim that returns while such a key exists did not wait for it. */
const LONG_MS = 120_000;
let redis: Redis;
const children: ChildProcess[] = [];
const closers: Array<() => unknown> = [];

beforeAll(() => {
  redis = connectRedis();
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
afterAll(async () => {
  await deleteUnder(redis, prefix);
  redis.disconnect();
});

interface Child {
  child: ChildProcess;
  /** The next JSON line the process prints. */
  next(): Promise<Record<string, unknown>>;
}

function startClaimer(nodeId: string, ttlMs: number): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/engine/support/identity-process.ts', REDIS_URL, prefix, nodeId, String(ttlMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines: string[] = [];
  const waiters: Array<(line: string) => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const waiter = waiters.shift();
    if (waiter) waiter(line);
    else lines.push(line);
  });
  return {
    child,
    next: () => {
      const line = lines.shift();
      return line !== undefined ? Promise.resolve(JSON.parse(line)) : new Promise((resolve) => waiters.push((l) => resolve(JSON.parse(l))));
    },
  };
}

async function claimed(c: Child): Promise<{ bootId: string; pid: number; previous: unknown }> {
  const line = await c.next();
  if (!line.claimed) throw new Error(`expected a claim, got ${JSON.stringify(line)}`);
  return line.claimed as { bootId: string; pid: number; previous: unknown };
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

function identity(nodeId: string, ttlMs: number): NodeIdentity {
  const id = new NodeIdentity({ redis, keyPrefix: prefix, nodeId, logger, ttlMs });
  closers.push(() => id.close());
  return id;
}

/** A pid that no process has now: a child that already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await exited(child);
  return child.pid!;
}

/** Writes a liveness key and fingerprint as a process with this fingerprint would have. */
async function recordPredecessor(nodeId: string, fingerprint: ProcessFingerprint, ttlMs: number): Promise<void> {
  await redis.set(`${prefix}:alive:${nodeId}`, 'old-boot', 'PX', ttlMs);
  await redis.set(`${prefix}:alive-process:${nodeId}`, JSON.stringify({ bootId: 'old-boot', ...fingerprint }), 'PX', ttlMs);
}

describe('NodeIdentity with real processes', () => {
  it('a process killed with SIGKILL is proven dead on the same machine: the next claim replaces it at once', async () => {
    const first = startClaimer('node-fast', LONG_MS);
    const old = await claimed(first);
    first.child.kill('SIGKILL');
    await exited(first.child);
    expect(await redis.pttl(`${prefix}:alive:node-fast`)).toBeGreaterThan(LONG_MS / 2); // its key is still there

    const next = identity('node-fast', LONG_MS);
    const claim = await next.claim();
    expect(claim.previous).toEqual({ bootId: old.bootId, pid: old.pid, why: 'pid gone' });
    expect(await redis.get(`${prefix}:alive:node-fast`)).toBe(next.bootId);
    expect(JSON.parse((await redis.get(`${prefix}:alive-process:node-fast`))!)).toMatchObject({ bootId: next.bootId, pid: process.pid });
  });

  it('a restarted process (a child again) claims at once after its predecessor was killed', async () => {
    const first = startClaimer('node-child', LONG_MS);
    const old = await claimed(first);
    first.child.kill('SIGKILL');
    await exited(first.child);
    const second = startClaimer('node-child', LONG_MS);
    const now = await claimed(second);
    expect(now.bootId).not.toBe(old.bootId);
    expect(now.previous).toEqual({ bootId: old.bootId, pid: old.pid, why: 'pid gone' });
    expect(await redis.get(`${prefix}:alive:node-child`)).toBe(now.bootId);
  });

  it('refuses a claim while the other process is alive and renewing', async () => {
    const live = startClaimer('node-live', SHORT_MS);
    await claimed(live);
    await expect(identity('node-live', SHORT_MS).claim()).rejects.toBeInstanceOf(NodeIdentityInUseError);
  });

  it('a stopped process (its pid alive) is waited out, not proven dead; woken up, it finds its identity taken', async () => {
    const stopped = startClaimer('node-stopped', SHORT_MS);
    await claimed(stopped);
    stopped.child.kill('SIGSTOP');
    const next = identity('node-stopped', SHORT_MS);
    expect((await next.claim()).previous).toBeNull(); // its key expired: waited out
    stopped.child.kill('SIGCONT');
    expect(await stopped.next()).toEqual({ taken: true });
    expect(await redis.get(`${prefix}:alive:node-stopped`)).toBe(next.bootId);
  });

  it('a predecessor recorded on another host, kernel boot or pid namespace is waited out even with its pid gone', async () => {
    const self = currentFingerprint();
    expect(self).not.toBeNull(); // Linux with /proc
    const pid = await deadPid();
    const elsewhere: Array<Partial<ProcessFingerprint>> = [{ hostname: 'another-host' }, { kernelBootId: 'another-boot' }, { pidNamespace: 'pid:[1]' }];
    for (const [i, difference] of elsewhere.entries()) {
      await recordPredecessor(`node-away-${i}`, { ...self!, pid, ...difference }, SHORT_MS);
      expect((await identity(`node-away-${i}`, SHORT_MS).claim()).previous).toBeNull();
    }
    // The same record on this host, kernel boot and namespace is proven dead.
    await recordPredecessor('node-here', { ...self!, pid }, LONG_MS);
    expect((await identity('node-here', LONG_MS).claim()).previous).toEqual({ bootId: 'old-boot', pid, why: 'pid gone' });
  });

  it('a pid now held by another process (here: this one) proves its recorded process gone; a record without a fingerprint proves nothing', async () => {
    const self = currentFingerprint()!;
    await recordPredecessor('node-reused', { ...self, startTime: String(Number(self.startTime) - 1) }, LONG_MS);
    expect((await identity('node-reused', LONG_MS).claim()).previous).toEqual({ bootId: 'old-boot', pid: process.pid, why: 'pid reused by another process' });

    await redis.set(`${prefix}:alive:node-bare`, 'old-boot', 'PX', SHORT_MS); // an older version: no fingerprint
    expect((await identity('node-bare', SHORT_MS).claim()).previous).toBeNull();
  });

  it('another node on this machine adopts a killed node\'s lease at once, and leaves a live node\'s alone', async () => {
    const victim = startClaimer('node-victim', LONG_MS);
    const dead = await claimed(victim);
    const neighbour = startClaimer('node-neighbour', LONG_MS);
    const live = await claimed(neighbour);
    await redis.set(`${prefix}:lease:v1`, `node-victim#${dead.bootId}`, 'PX', LONG_MS);
    await redis.set(`${prefix}:lease:n1`, `node-neighbour#${live.bootId}`, 'PX', LONG_MS);
    const survivor = identity('node-survivor', LONG_MS);
    await survivor.claim();
    const leases = new LeaseManager({ redis, keyPrefix: prefix, nodeId: 'node-survivor', bootId: survivor.bootId, logger, ttlMs: LONG_MS });
    closers.push(() => leases.close());

    expect(await survivor.reapIfDead('node-victim')).toBeNull(); // alive
    victim.child.kill('SIGKILL');
    await exited(victim.child);
    expect(await leases.owners(['v1', 'n1', 'free'])).toEqual(['node-victim', 'node-neighbour', null]);
    expect(await leases.acquireMany(['v1', 'n1'])).toEqual([]); // both liveness keys are there
    expect(await survivor.reapIfDead('node-victim')).toBe('pid gone');
    expect(await survivor.reapIfDead('node-neighbour')).toBeNull();
    expect(await leases.acquireMany(['v1', 'n1'])).toEqual(['v1']);
    expect(leases.takeTakeover('v1')).toBe(true);
    expect(await redis.get(`${prefix}:alive:node-neighbour`)).toBe(live.bootId);
  });
});

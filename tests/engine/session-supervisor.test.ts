import type { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import { EngineMetrics } from '../../src/engine/engine-metrics.js';
import type { EngineEventSink, StatusChange } from '../../src/engine/engine-types.js';
import { SessionSupervisor } from '../../src/engine/session-supervisor.js';
import { FakeRuntime } from './support/fake-runtime.js';
import { connectRedis, deleteUnder, uniquePrefix } from './support/redis.js';

const prefix = uniquePrefix('engine-supervisor');
const logger = pino({ level: 'silent' });
let redis: Redis;
const supervisors: SessionSupervisor[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

class RecordingSink implements EngineEventSink {
  statuses: Array<{ instanceId: string; change: StatusChange }> = [];
  onStatus(instanceId: string, change: StatusChange): void {
    this.statuses.push({ instanceId, change });
  }
  onEvent(): void {}
}

interface Node {
  supervisor: SessionSupervisor;
  runtimes: Map<string, FakeRuntime[]>;
  sink: RecordingSink;
  registry: Registry;
}

function node(nodeId: string, runnable: () => string[], over: Partial<ConstructorParameters<typeof SessionSupervisor>[0]> = {}): Node {
  const runtimes = new Map<string, FakeRuntime[]>();
  const sink = new RecordingSink();
  const registry = new Registry();
  const supervisor = new SessionSupervisor({
    nodeId,
    redis,
    keyPrefix: prefix,
    logger,
    directory: { listRunnable: async () => runnable().map((id) => ({ id })) },
    sink,
    metrics: new EngineMetrics({ registry, nodeId }),
    createRuntime: (id) => {
      const runtime = new FakeRuntime(id);
      runtimes.set(id, [...(runtimes.get(id) ?? []), runtime]);
      return runtime;
    },
    leaseTtlMs: 600,
    syncIntervalMs: 200,
    releaseGraceMs: 500,
    restoreJitterMs: 5,
    commandTimeoutMs: 3000,
    ...over,
  });
  supervisors.push(supervisor);
  return { supervisor, runtimes, sink, registry };
}

beforeAll(() => {
  redis = connectRedis();
});
afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.close()));
  await deleteUnder(redis, prefix);
});
afterAll(async () => {
  redis.disconnect();
});

describe('SessionSupervisor', () => {
  it('runs every runnable instance on exactly one of two nodes', async () => {
    const ids = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'];
    const n1 = node('n1', () => ids);
    const n2 = node('n2', () => ids);
    await Promise.all([n1.supervisor.start(), n2.supervisor.start()]);
    await n1.supervisor.syncNow();
    await n2.supervisor.syncNow();
    const owned = [...n1.supervisor.localInstanceIds(), ...n2.supervisor.localInstanceIds()].sort();
    expect(owned).toEqual(ids);
    for (const id of ids) {
      const owner = await redis.get(`${prefix}:lease:${id}`);
      expect(owner === 'n1' ? n1.supervisor.localInstanceIds() : n2.supervisor.localInstanceIds()).toContain(id);
    }
  });

  it('restores with bounded concurrency and reports statuses to the sink', async () => {
    FakeRuntime.live = 0;
    FakeRuntime.maxLive = 0;
    const ids = Array.from({ length: 12 }, (_, i) => `r${i}`);
    const n1 = node('n1', () => ids, { restoreConcurrency: 3 });
    await n1.supervisor.start();
    await until(() => n1.sink.statuses.length === 12);
    expect(FakeRuntime.maxLive).toBeLessThanOrEqual(3);
    expect(new Set(n1.sink.statuses.map((s) => s.instanceId)).size).toBe(12);
    expect(await n1.registry.getSingleMetricAsString('zap_engine_instances')).toContain('status="connected"} 12');
  });

  it('adopts the instances of a node that died (lease expired), within the TTL', async () => {
    const ids = ['d1', 'd2'];
    const n1 = node('n1', () => ids);
    await n1.supervisor.start();
    expect(n1.supervisor.localInstanceIds().sort()).toEqual(ids);
    const n2 = node('n2', () => ids);
    await n2.supervisor.start();
    expect(n2.supervisor.localInstanceIds()).toEqual([]);

    const killedAt = Date.now();
    await n1.supervisor.abandon();
    await until(() => n2.supervisor.localInstanceIds().length === 2, 3000);
    expect(Date.now() - killedAt).toBeLessThan(600 + 200 + 400);
    expect(n1.runtimes.get('d1')![0]!.calls).toContain('abandon');
  });

  it('hands over at once on a clean close (leases released and announced)', async () => {
    const ids = ['h1'];
    const n1 = node('n1', () => ids, { leaseTtlMs: 30_000, syncIntervalMs: 60_000 });
    await n1.supervisor.start();
    const n2 = node('n2', () => ids, { leaseTtlMs: 30_000, syncIntervalMs: 60_000 });
    await n2.supervisor.start();
    await n1.supervisor.close();
    expect(n1.runtimes.get('h1')![0]!.calls).toEqual(['start', 'close']);
    await until(() => n2.supervisor.localInstanceIds().includes('h1'), 2000);
  });

  it('closes the runtime when its lease is lost, and does not report for it any more', async () => {
    const n1 = node('n1', () => ['l1'], { syncIntervalMs: 60_000 });
    await n1.supervisor.start();
    await until(() => n1.sink.statuses.length === 1);
    await redis.set(`${prefix}:lease:l1`, 'someone-else', 'PX', 60_000);
    await n1.supervisor.leases.renewAll();
    await until(() => n1.supervisor.localInstanceIds().length === 0);
    const runtime = n1.runtimes.get('l1')![0]!;
    expect(runtime.calls).toContain('close');
    runtime.report('disconnected', 'replaced');
    await sleep(50);
    expect(n1.sink.statuses).toHaveLength(1);
  });

  it('routes a command to the owning node, wherever it was issued', async () => {
    const n1 = node('n1', () => ['c1']);
    await n1.supervisor.start();
    const n2 = node('n2', () => ['c1']);
    await n2.supervisor.start();
    await n2.supervisor.command('c1', { type: 'restart' });
    expect(n1.runtimes.get('c1')![0]!.calls).toContain('restart');
    expect(n2.runtimes.get('c1')).toBeUndefined();
    const sent = await n2.supervisor.command('c1', { type: 'send', jid: 'x@s.whatsapp.net', content: { type: 'text', text: 'hi' }, messageId: 'MID1' });
    expect(sent).toEqual({ messageId: 'MID1', jid: 'x@s.whatsapp.net' });
    await expect(n2.supervisor.command('c1', { type: 'on-whatsapp', phone: '+55 11 9' })).resolves.toEqual({
      exists: true,
      jid: '55119@s.whatsapp.net',
    });
  });

  it('passes errors of the owner back to the caller with their code', async () => {
    const n1 = node('n1', () => ['e1']);
    await n1.supervisor.start();
    const n2 = node('n2', () => ['e1']);
    await n2.supervisor.start();
    const runtime = n1.runtimes.get('e1')![0]!;
    runtime.logout = async () => {
      throw Object.assign(new Error('instance e1 is busy'), { code: 'instance_busy' });
    };
    await expect(n2.supervisor.command('e1', { type: 'logout' })).rejects.toMatchObject({
      code: 'instance_busy',
      message: 'instance e1 is busy',
    });
  });

  it('adopts an instance nobody owns to run a command on it', async () => {
    const n2 = node('n2', () => []);
    await n2.supervisor.start();
    await n2.supervisor.command('o1', { type: 'regenerate-qr' });
    expect(n2.runtimes.get('o1')![0]!.calls).toEqual(['regenerate-qr']);
    expect(await redis.get(`${prefix}:lease:o1`)).toBe('n2');
  });

  it('stops and releases an instance that is no longer runnable', async () => {
    let ids = ['s1', 's2'];
    const n1 = node('n1', () => ids);
    await n1.supervisor.start();
    ids = ['s2'];
    await until(async () => {
      await n1.supervisor.syncNow();
      return !n1.supervisor.localInstanceIds().includes('s1');
    }, 4000);
    expect(n1.runtimes.get('s1')![0]!.calls).toContain('close');
    expect(await redis.get(`${prefix}:lease:s1`)).toBeNull();
  });

  it('stop command closes the runtime without logout and releases the lease', async () => {
    const n1 = node('n1', () => ['t1']);
    await n1.supervisor.start();
    await n1.supervisor.command('t1', { type: 'stop' });
    expect(n1.runtimes.get('t1')![0]!.calls).toEqual(['start', 'close']);
    expect(await redis.get(`${prefix}:lease:t1`)).toBeNull();
  });
});

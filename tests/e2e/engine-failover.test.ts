import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { EngineMetrics } from '../../src/engine/engine-metrics.js';
import type { EngineEvent, EngineEventSink, StatusChange } from '../../src/engine/engine-types.js';
import type { InstanceRuntime } from '../../src/engine/instance-runtime.js';
import { createRuntimeFactory } from '../../src/engine/runtime-factory.js';
import { SessionSupervisor } from '../../src/engine/session-supervisor.js';
import { nextPhone, silentLogger, startSimHarness, StatusRecorder, testEncryptionKey, type SimHarness } from '../engine/support/engine-harness.js';
import { connectRedis, deleteUnder, keysUnder, uniquePrefix } from '../engine/support/redis.js';

const prefix = uniquePrefix('e2e-engine-failover');
const LEASE_TTL_MS = 3000;
let h: SimHarness;
let redis: Redis;
const supervisors: SessionSupervisor[] = [];

class Sink implements EngineEventSink {
  readonly recorder = new StatusRecorder({ on: () => undefined });
  readonly events: Array<{ instanceId: string; event: EngineEvent }> = [];
  readonly byInstance = new Map<string, StatusChange[]>();
  onStatus(instanceId: string, change: StatusChange): void {
    this.byInstance.set(instanceId, [...(this.byInstance.get(instanceId) ?? []), change]);
    this.recorder.push({ ...change, reason: change.reason });
  }
  onEvent(instanceId: string, event: EngineEvent): void {
    this.events.push({ instanceId, event });
  }
}

interface TestNode {
  supervisor: SessionSupervisor;
  sink: Sink;
  registry: Registry;
  closeCodes: Array<number | undefined>;
}

function startNode(nodeId: string, runnable: () => string[], leaseTtlMs = LEASE_TTL_MS): TestNode {
  const sink = new Sink();
  const registry = new Registry();
  const closeCodes: Array<number | undefined> = [];
  const factory = createRuntimeFactory({
    redis,
    keyPrefix: prefix,
    encryptionKey: testEncryptionKey,
    logger: silentLogger,
    waWebSocketUrl: h.sim.wsUrl,
    backoff: { baseMs: 50, capMs: 500 },
    syncHistory: false,
  });
  const supervisor = new SessionSupervisor({
    nodeId,
    redis,
    keyPrefix: prefix,
    logger: silentLogger,
    directory: { listRunnable: async () => runnable().map((id) => ({ id })) },
    sink,
    metrics: new EngineMetrics({ registry, nodeId }),
    createRuntime: (id) => {
      const runtime: InstanceRuntime = factory(id);
      runtime.on('socket-close', (info) => closeCodes.push(info.statusCode));
      return runtime;
    },
    leaseTtlMs,
    syncIntervalMs: 250,
    restoreJitterMs: 20,
    restoreConcurrency: 4,
  });
  supervisors.push(supervisor);
  return { supervisor, sink, registry, closeCodes };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function deviceState(phone: string) {
  const state = await h.control.state();
  return state.phones.find((p) => p.phone === phone)?.devices ?? [];
}

beforeAll(async () => {
  h = await startSimHarness(`engine-failover-${process.pid}`);
  redis = connectRedis();
});
afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await deleteUnder(redis, prefix);
  redis.disconnect();
  await h.close();
});

describe('engine e2e: supervisors on several nodes', () => {
  it('pairs through a supervisor, serves commands from another node, and moves to it when its node is killed', async () => {
    const id = 'fo-1';
    const phone = nextPhone();
    const a = startNode('node-a', () => [id]);
    await a.supervisor.start();
    const qr = await a.sink.recorder.waitFor((c) => c.status === 'qr');
    await h.control.scan(qr.qr!.code, phone, 'Failover Phone');
    await a.sink.recorder.waitFor((c) => c.status === 'connected');
    expect(await redis.get(`${prefix}:lease:${id}`)).toBe('node-a');

    const b = startNode('node-b', () => [id]);
    await b.supervisor.start();
    expect(b.supervisor.localInstanceIds()).toEqual([]);

    // A command issued on node B runs on node A, the owner.
    const mark = a.sink.recorder.mark();
    await b.supervisor.command(id, { type: 'restart' });
    await a.sink.recorder.waitFor((c) => c.status === 'connected', 15_000, mark);
    expect(a.sink.recorder.changes.slice(mark).map((c) => c.reason)).toEqual(['restarting', 'connected']);
    expect(b.sink.recorder.changes).toEqual([]);

    // kill -9 of node A: no lease release, no goodbye, sockets gone.
    const killedAt = Date.now();
    await a.supervisor.abandon();
    const adopted = await b.sink.recorder.waitFor((c) => c.status === 'connected', 15_000);
    const tookMs = Date.now() - killedAt;
    expect(tookMs).toBeLessThan(LEASE_TTL_MS + 5000);
    expect(adopted.phone).toBe(`+${phone}`);
    expect(b.sink.recorder.changes.map((c) => c.status)).toEqual(['connected']); // no QR
    expect(await redis.get(`${prefix}:lease:${id}`)).toBe('node-b');
    expect(b.supervisor.localInstanceIds()).toEqual([id]);

    // Never two sockets for one device: the simulator would have answered one of them with 440.
    await new Promise((r) => setTimeout(r, 500));
    expect([...a.closeCodes, ...b.closeCodes]).not.toContain(440);
    const devices = await deviceState(phone);
    expect(devices).toHaveLength(1);
    expect(devices[0]!.connected).toBe(true);
    expect(await b.registry.getSingleMetricAsString('zap_engine_lease_moves_total')).toMatch(/event="acquired"} 1/);
    expect(await b.registry.getSingleMetricAsString('zap_engine_instances')).toContain('status="connected"} 1');
  });

  it('hands over at once when a node shuts down cleanly (SIGTERM), without logging out', async () => {
    const id = 'fo-2';
    const phone = nextPhone();
    const a = startNode('node-c', () => [id], 30_000);
    await a.supervisor.start();
    const qr = await a.sink.recorder.waitFor((c) => c.status === 'qr');
    await h.control.scan(qr.qr!.code, phone);
    await a.sink.recorder.waitFor((c) => c.status === 'connected');
    const b = startNode('node-d', () => [id], 30_000);
    await b.supervisor.start();

    const closedAt = Date.now();
    await a.supervisor.close();
    await b.sink.recorder.waitFor((c) => c.status === 'connected', 10_000);
    expect(Date.now() - closedAt).toBeLessThan(5000); // far below the 30 s lease
    expect(a.sink.recorder.changes.map((c) => c.status)).toEqual(['qr', 'connected']); // no logout, no status on close
    expect((await deviceState(phone))[0]?.connected).toBe(true);
  });

  it('adopts an instance nobody runs when a command arrives for it, and disconnect wipes it everywhere', async () => {
    const id = 'fo-3';
    const phone = nextPhone();
    const b = startNode('node-e', () => [], 10_000);
    await b.supervisor.start();
    await b.supervisor.command(id, { type: 'start' });
    const qr = await b.sink.recorder.waitFor((c) => c.status === 'qr');
    expect(await redis.get(`${prefix}:lease:${id}`)).toBe('node-e');
    await h.control.scan(qr.qr!.code, phone);
    await b.sink.recorder.waitFor((c) => c.status === 'connected');

    const other = startNode('node-f', () => [], 10_000);
    await other.supervisor.start();
    await other.supervisor.command(id, { type: 'logout' });
    const last = b.sink.recorder.changes.at(-1)!;
    expect(`${last.status}/${last.reason}`).toBe('disconnected/logged_out');
    expect(await keysUnder(redis, `${prefix}:auth:${id}`)).toEqual([]);
    await until(async () => (await deviceState(phone)).length === 0);
  });
});

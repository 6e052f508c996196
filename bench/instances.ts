/**
 * Memory, restore time and idle CPU of N connected instances run by the engine (InstanceRuntime + RedisAuthState
 * under a SessionSupervisor, as production runs them), compared with N bare Baileys sockets with in-memory auth in
 * the same process. The simulator runs in another process.
 *
 *   npm run bench:instances -- [--n 200] [--concurrency 10] [--idle 15]
 *
 * Prints: RSS per connected idle instance (slope of RSS from N/2 to N connected, after a forced GC), the same for bare Baileys
 * and the ratio, the time until all N are connected again after a restart (a new supervisor on the same Redis),
 * and CPU at idle.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import makeWASocket, { Browsers, type WASocket } from '@whiskeysockets/baileys';
import { Redis } from 'ioredis';
import pino from 'pino';
import { Registry } from 'prom-client';
import {
  EngineMetrics,
  SessionSupervisor,
  createRuntimeFactory,
  routeSignalConsole,
  trustRootKey,
  type EngineEventSink,
  type StatusChange,
} from '../src/engine/index.js';
import { ControlClient } from '../src/simulator/control/control-client.js';
import { pairBare, type BareAuth } from './support/bare-baileys.js';
import { startSimulatorProcess } from './support/simulator-process.js';
import { deleteKeysMatching } from '../src/persistence/redis/scan-keys.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '10' },
    idle: { type: 'string', default: '15' },
    'skip-bare': { type: 'boolean', default: false },
  },
});
const N = Number(values.n);
const CONCURRENCY = Number(values.concurrency);
const IDLE_S = Number(values.idle);
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const logger = pino({ level: 'silent' });
routeSignalConsole(logger);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) out('warning: run with --expose-gc (npm run bench:instances does) for stable memory figures');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function settledRssMb(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await sleep(200);
  }
  return process.memoryUsage().rss / 1024 / 1024;
}
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}
async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(50);
  }
}

// ---- simulator in its own process -----------------------------------------------------------------------
const sim = await startSimulatorProcess();
const stopSimulator = sim.stop;
trustRootKey(sim.rootPublicKey);
const control = new ControlClient(sim.controlUrl);
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefix = `bench:instances:${randomBytes(4).toString('hex')}`;
const encryptionKey = randomBytes(32);
const phoneBase = 5500000000 + Math.floor(Math.random() * 1000) * 10_000;
out(`N=${N}, pairing concurrency ${CONCURRENCY}, simulator pid ${sim.child.pid}`);

// ---- engine -----------------------------------------------------------------------------------------------
class Sink implements EngineEventSink {
  readonly last = new Map<string, StatusChange>();
  onStatus(id: string, change: StatusChange): void {
    this.last.set(id, change);
  }
  onEvent(): void {}
  count(status: string): number {
    let n = 0;
    for (const c of this.last.values()) if (c.status === status) n++;
    return n;
  }
}

function startSupervisor(nodeId: string, ids: () => string[], sink: Sink): SessionSupervisor {
  const supervisor = new SessionSupervisor({
    nodeId,
    redis,
    keyPrefix: prefix,
    logger,
    metrics: new EngineMetrics({ registry: new Registry(), nodeId }),
    directory: { listRunnable: async () => ids().map((id) => ({ id })) },
    sink,
    createRuntime: createRuntimeFactory({
      redis,
      keyPrefix: prefix,
      encryptionKey,
      logger,
      waWebSocketUrl: sim.wsUrl,
      backoff: { baseMs: 500, capMs: 5000 },
    }),
    leaseTtlMs: 30_000,
    restoreConcurrency: CONCURRENCY,
    syncIntervalMs: 500,
  });
  return supervisor;
}

const engineIds = Array.from({ length: N }, (_, i) => `bench_${i}`);
let runnable: string[] = [];
const sink = new Sink();
const baseline = await settledRssMb();
const first = startSupervisor('bench-a', () => runnable, sink);
await first.start();

async function pairEngine(ids: string[]): Promise<void> {
  const scanned = new Set<string>();
  runnable = [...runnable, ...ids];
  await first.syncNow();
  await pool(ids, CONCURRENCY, async (id) => {
    await waitUntil(() => sink.last.get(id)?.status === 'qr' || sink.last.get(id)?.status === 'connected', 60_000, `QR of ${id}`);
    const change = sink.last.get(id)!;
    if (change.status === 'qr' && !scanned.has(id)) {
      scanned.add(id);
      await control.scan(change.qr!.code, String(phoneBase + Number(id.split('_')[1])));
    }
    await waitUntil(() => sink.last.get(id)?.status === 'connected', 60_000, `connected ${id}`);
  });
}

const HALF = Math.floor(N / 2);
let t = Date.now();
await pairEngine(engineIds.slice(0, HALF));
await sleep(IDLE_S * 1000);
const engineHalf = await settledRssMb();
await pairEngine(engineIds.slice(HALF));
const pairS = (Date.now() - t) / 1000;
out(`engine: paired ${sink.count('connected')}/${N} in ${pairS.toFixed(1)} s`);
await sleep(IDLE_S * 1000);
// Memory with N connected; then drop half (close without logout) for the slope.
const engineFull = await settledRssMb();
const cpu0 = process.cpuUsage();
const cpuT0 = Date.now();
await sleep(10_000);
const cpu1 = process.cpuUsage(cpu0);
const idleCpuPct = ((cpu1.user + cpu1.system) / 1000 / (Date.now() - cpuT0)) * 100;

// ---- restart: a new supervisor on the same Redis restores all N (no QR) --------------------------------------
await first.close();
const afterCloseRss = await settledRssMb();
const sink2 = new Sink();
const restartedAt = Date.now();
const second = startSupervisor('bench-b', () => engineIds, sink2);
await second.start();
await waitUntil(() => sink2.count('connected') === N, 120_000, 'all reconnected');
const restoreS = (Date.now() - restartedAt) / 1000;
const qrs = [...sink2.last.values()].filter((c) => c.status === 'qr').length;
out(`engine: restart → all ${N} connected in ${restoreS.toFixed(1)} s (concurrency ${CONCURRENCY}, QR shown: ${qrs})`);
await sleep(IDLE_S * 1000);
const engineRestored = await settledRssMb();
await second.close();
const engineEmpty = await settledRssMb();
const enginePer = (engineFull - engineHalf) / (N - HALF);
const enginePerRestored = (engineRestored - afterCloseRss) / N;

// ---- bare Baileys, in-memory auth -------------------------------------------------------------------------------
const bare: WASocket[] = [];
function openBare(auth: BareAuth): WASocket {
  return makeWASocket({
    waWebSocketUrl: sim.wsUrl,
    auth,
    logger,
    browser: Browsers.ubuntu('Chrome'),
    markOnlineOnConnect: false,
    syncFullHistory: false,
  });
}
async function pairBareInto(phone: string): Promise<void> {
  bare.push(await pairBare(openBare, (qr) => control.scan(qr, phone)));
}
let barePer = NaN;
if (!values['skip-bare']) {
  const phones = Array.from({ length: N }, (_, i) => String(phoneBase + 5000 + i));
  t = Date.now();
  await pool(phones.slice(0, HALF), CONCURRENCY, pairBareInto);
  await sleep(IDLE_S * 1000);
  const bareHalf = await settledRssMb();
  await pool(phones.slice(HALF), CONCURRENCY, pairBareInto);
  out(`bare Baileys: paired ${bare.length}/${N} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  await sleep(IDLE_S * 1000);
  const bareFull = await settledRssMb();
  barePer = (bareFull - bareHalf) / (N - HALF);
  for (const s of bare) s.end(undefined);
}

// ---- report -------------------------------------------------------------------------------------------------------
out('');
out(`RSS per connected idle instance, engine:        ${enginePer.toFixed(2)} MB  (slope ${HALF}→${N}: ${engineHalf.toFixed(0)} → ${engineFull.toFixed(0)} MB; empty process ${baseline.toFixed(0)} MB)`);
out(`RSS per connected idle instance, after restore: ${enginePerRestored.toFixed(2)} MB  (${afterCloseRss.toFixed(0)} MB → ${engineRestored.toFixed(0)} MB; ${engineEmpty.toFixed(0)} MB after closing)`);
if (!Number.isNaN(barePer)) {
  out(`RSS per connected idle socket, bare Baileys:   ${barePer.toFixed(2)} MB`);
  out(`ratio engine / bare:                            ${(enginePer / barePer).toFixed(2)}× (target ≤ 1.25×, < 10 MB each)`);
}
out(`restart → all ${N} connected:                  ${restoreS.toFixed(1)} s (target < 60 s for 200)`);
out(`CPU at idle with ${N} connected:               ${idleCpuPct.toFixed(1)} % of one core`);

// clean up: the bench's Redis keys, the simulator
await deleteKeysMatching(redis, `${prefix}:*`);
redis.disconnect();
stopSimulator();
process.exit(0);

/**
 * Crash recovery: N paired instances on one engine process; `kill -9` it; start it again with the same NODE_ID on
 * the same Postgres and Redis, as an operator (or systemd, or Docker's restart policy) would. Prints how long until
 * every socket is live again at the simulator (each phone shows exactly one connected device), counted from the
 * kill and from the new process's start, with a breakdown: /ready, NODE_ID claimed (the liveness key
 * `<prefix>:alive:<nodeId>` holds the new boot id), first socket live, last socket live.
 *
 * `--concurrency 5,10,20` kills and restarts once per value, on the same paired instances.
 *
 * Then the same restart for bare Baileys in the same run: B sockets paired here with file auth
 * (useMultiFileAuthState), closed, and a new process (bench/support/bare-restore.ts) that opens them all at once
 * from the saved creds: the floor for "process start → every socket live".
 *
 *   nice -n 10 npm run bench:recovery -- [--n 200] [--concurrency <RESTORE_CONCURRENCY>[,<another>...]] [--pair-concurrency 4] [--bare <B, default N; 0 skips>] [--cpu-profile <dir>]
 *
 * --cpu-profile <dir>: the last restarted engine process (the only one stopped cleanly, with SIGTERM) and the
 * simulator run with `--cpu-prof --cpu-prof-dir=<dir>` and write a .cpuprofile each when they exit; the restarts
 * before the last run unprofiled, so `--concurrency 5,5` gives one plain figure and one profiled.
 *
 * The engine runs in its own processes (src/main.ts, as `npm start` does), the simulator in another.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import makeWASocket, { Browsers, useMultiFileAuthState, WA_CERT_DETAILS, type WASocket } from '@whiskeysockets/baileys';
import pino from 'pino';
import { createRedis } from '../src/persistence/redis/create-redis.js';
import { ControlClient } from '../src/simulator/control/control-client.js';
import { databaseUrl } from '../tests/support/database.js';
import { testRedisUrl } from '../tests/support/redis.js';
import { pairBare } from './support/bare-baileys.js';
import { EngineClient } from './support/engine-client.js';
import { processCpuMs, startEngineProcess, type EngineProcess } from './support/engine-process.js';
import { freshPhone } from './support/fresh-phone.js';
import { startSimulatorProcess } from './support/simulator-process.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '200' },
    concurrency: { type: 'string' },
    'pair-concurrency': { type: 'string', default: '4' },
    bare: { type: 'string' },
    'cpu-profile': { type: 'string' },
  },
});
const N = Number(values.n);
const PAIR_CONCURRENCY = Number(values['pair-concurrency']);
const BARE = Number(values.bare ?? values.n);
/** One kill -9 and restart per value, on the same paired instances (`--concurrency 5,10,20`); `default` = unset. */
const CONCURRENCIES = (values.concurrency ?? 'default').split(',').map((c) => c.trim());
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

const profileArgs = values['cpu-profile'] ? ['--cpu-prof', `--cpu-prof-dir=${resolve(values['cpu-profile'])}`] : [];
const sim = await startSimulatorProcess(profileArgs);
const control = new ControlClient(sim.controlUrl);
const nodeId = `bench-recovery-${randomBytes(3).toString('hex')}`;
const env: Record<string, string> = {
  NODE_ID: nodeId,
  JWT_SECRET: randomBytes(32).toString('hex'),
  ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  SIGNUP_MAX_PER_IP: String(N + 100), // one tenant per instance, all from 127.0.0.1
};
const first = await startEngineProcess({ simulator: sim, env });
const processes: EngineProcess[] = [first];
const client = new EngineClient(first.baseUrl);

try {
  out(`N=${N}, NODE_ID=${nodeId}, RESTORE_CONCURRENCY per restart: ${CONCURRENCIES.join(', ')}, simulator pid ${sim.child.pid}`);
  // One instance per tenant (the starter plan allows one).
  const phones = Array.from({ length: N }, () => freshPhone());
  let probe: { cookie: string; instanceId: string } | null = null; // one instance whose API answers are timed during the restore
  let t = Date.now();
  await pool(phones, PAIR_CONCURRENCY, async (phone) => {
    const cookie = await client.tenant(`Recovery ${phone}`);
    const instanceId = await client.createInstance(cookie, { name: `r-${phone}` });
    probe ??= { cookie, instanceId };
    // Under load a QR can expire between reading and scanning it: scan the next one.
    for (let attempt = 1; ; attempt++) {
      try {
        await client.pair(cookie, instanceId, control, phone);
        break;
      } catch (err) {
        if ((await client.instance(cookie, instanceId)).status === 'connected') break; // connected just after the wait gave up
        if (attempt >= 3) throw err;
      }
    }
  });
  out(`paired ${N} in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  const liveCount = async (of: string[] = phones): Promise<number> => {
    const state = await control.state();
    const mine = new Set(of);
    let live = 0;
    for (const p of state.phones) {
      if (!mine.has(p.phone)) continue;
      const connected = p.devices.filter((d) => d.connected).length;
      if (connected > 1) throw new Error(`${p.phone} has ${connected} connected devices: two sockets for one device`);
      if (connected === 1) live++;
    }
    return live;
  };
  if ((await liveCount()) !== N) throw new Error('not every instance is live before the kill');

  // kill -9, then start again at once with the same NODE_ID, database and Redis prefix.
  const redis = createRedis(testRedisUrl, { connectionName: `${nodeId}:bench` });
  await redis.connect();
  const alive = `${first.redisPrefix}:alive:${nodeId}`;
  let current = first;
  const s = (ms: number): string => (ms / 1000).toFixed(1);
  let lastAllLive = { fromStart: NaN };
  for (const [round, concurrency] of CONCURRENCIES.entries()) {
    await sleep(3000); // the previous restore's tail (status writes) settles
    const oldBoot = await redis.get(alive);
    const killed = current;
    const killedAt = Date.now();
    killed.child.kill('SIGKILL');
    await new Promise<void>((resolve) => (killed.child.exitCode !== null || killed.child.signalCode !== null ? resolve() : killed.child.once('exit', () => resolve())));
    // Watch the liveness key (claimed = it holds a boot id other than the killed one's) and the simulator meanwhile.
    let claimedAt = NaN;
    let firstLiveAt = NaN;
    let allLiveAt = NaN;
    let minLive = N;
    let watching = true;
    const claimWatch = (async () => {
      while (watching && Number.isNaN(claimedAt)) {
        const v = await redis.get(alive);
        if (v !== null && v !== oldBoot) claimedAt = Date.now();
        else await sleep(20);
      }
    })();
    const liveWatch = (async () => {
      let sawZero = false;
      while (watching) {
        const live = await liveCount();
        minLive = Math.min(minLive, live);
        if (live === 0) sawZero = true;
        if (sawZero && live > 0 && Number.isNaN(firstLiveAt)) firstLiveAt = Date.now();
        if (sawZero && live === N) {
          allLiveAt = Date.now();
          return;
        }
        if (Date.now() - killedAt > 180_000) throw new Error(`only ${live}/${N} live 180 s after the restart`);
        await sleep(50);
      }
    })();
    const startedAt = Date.now();
    const simCpuAtStart = processCpuMs(sim.child.pid!);
    const second = await startEngineProcess({
      simulator: sim,
      nodeArgs: round === CONCURRENCIES.length - 1 ? profileArgs : [],
      env: {
        ...env,
        DATABASE_URL: databaseUrl(first.databaseName),
        REDIS_PREFIX: first.redisPrefix,
        ...(concurrency === 'default' ? {} : { RESTORE_CONCURRENCY: concurrency }),
      },
    });
    current = second;
    processes.push(second);
    const readyAt = Date.now();
    // The HTTP API while the sockets come back: GET /whatsapp/instances/:id every 100 ms until all are live.
    const apiMs: number[] = [];
    const apiErrors: string[] = [];
    const secondClient = new EngineClient(second.baseUrl);
    const probed = probe as { cookie: string; instanceId: string } | null; // set while pairing
    const apiWatch = (async () => {
      while (Number.isNaN(allLiveAt) && probed) {
        const t0 = Date.now();
        try {
          await secondClient.instance(probed.cookie, probed.instanceId);
        } catch (err) {
          apiErrors.push(err instanceof Error ? err.message.slice(0, 120) : String(err));
        }
        apiMs.push(Date.now() - t0);
        await sleep(100);
      }
    })();
    await liveWatch;
    const engineCpu = second.cpuMs(); // from its start to all live: boot and restore, every thread
    const simCpu = processCpuMs(sim.child.pid!) - simCpuAtStart;
    await apiWatch;
    watching = false;
    await claimWatch;
    const profiled = round === CONCURRENCIES.length - 1 && profileArgs.length > 0 ? ' (profiled: --cpu-prof)' : '';
    out(`RESTORE_CONCURRENCY=${concurrency}${profiled}: kill -9 → all ${N} sockets live again at the simulator: ${s(allLiveAt - killedAt)} s after the kill`);
    out(`  new process started ${s(startedAt - killedAt)} s after the kill; from its start: /ready ${s(readyAt - startedAt)} s, NODE_ID claimed ${s(claimedAt - startedAt)} s, first socket live ${s(firstLiveAt - startedAt)} s, all ${N} live ${s(allLiveAt - startedAt)} s`);
    out(`  restore: first → last socket ${s(allLiveAt - firstLiveAt)} s (${(N / ((allLiveAt - firstLiveAt) / 1000)).toFixed(0)} sockets/s); claimed → last ${s(allLiveAt - claimedAt)} s`);
    out(`  CPU from the new process's start to all live: engine ${s(engineCpu)} s (all its threads), simulator ${s(simCpu)} s; wall ${s(allLiveAt - startedAt)} s on ${availableParallelism()} cores`);
    out(`  lowest live count seen after the kill: ${minLive}/${N}; never two connected devices for one phone`);
    apiMs.sort((a, b) => a - b);
    const pct = (q: number): number => apiMs[Math.min(apiMs.length - 1, Math.floor(q * apiMs.length))] ?? NaN;
    out(`  HTTP API during the restore (GET /whatsapp/instances/:id every 100 ms, ${apiMs.length} requests): median ${pct(0.5)} ms, p95 ${pct(0.95)} ms, max ${apiMs.at(-1) ?? NaN} ms; ${apiErrors.length} not 200${apiErrors[0] ? ` (first: ${apiErrors[0]})` : ''}`);
    const devices = (await control.state()).phones.filter((p) => phones.includes(p.phone)).map((p) => p.devices.length);
    if (devices.length !== N || devices.some((d) => d !== 1)) throw new Error(`a phone has ${Math.max(...devices)} linked devices: the restore paired again`);
    out(`  every phone still has exactly one linked device (no QR, no new pairing)`);
    lastAllLive = { fromStart: allLiveAt - startedAt };
  }
  await redis.quit();

  await current.terminate(10_000); // its CPU stays out of the bare phase; stop() below drops its data
  if (BARE > 0) {
    // ---- bare Baileys: pair B sockets with file auth here, close them, restore them from a new process ----
    WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(sim.rootPublicKey, 'hex');
    const logger = pino({ level: 'silent' });
    for (const m of ['log', 'info', 'warn'] as const) console[m] = () => undefined; // libsignal chatter
    const authDir = mkdtempSync(join(tmpdir(), 'zap-bench-bare-'));
    try {
      const barePhones = Array.from({ length: BARE }, () => freshPhone());
      const socks: WASocket[] = [];
      t = Date.now();
      await pool(barePhones, 10, async (phone) => {
        const { state, saveCreds } = await useMultiFileAuthState(join(authDir, phone));
        const open = (auth: typeof state): WASocket => {
          const sock = makeWASocket({ waWebSocketUrl: sim.wsUrl, auth, logger, browser: Browsers.ubuntu('Chrome'), markOnlineOnConnect: false, syncFullHistory: false });
          sock.ev.on('creds.update', () => void saveCreds());
          return sock;
        };
        socks.push(await pairBare(open, (qr) => control.scan(qr, phone), state));
      });
      out(`bare Baileys: paired ${BARE} in ${s(Date.now() - t)} s`);
      await sleep(1000); // let the last creds writes land
      for (const sock of socks) sock.end(undefined);
      while ((await liveCount(barePhones)) > 0) await sleep(50);
      const bareStart = Date.now();
      const child = spawn(process.execPath, ['--import', 'tsx', 'bench/support/bare-restore.ts', authDir, sim.wsUrl, sim.rootPublicKey], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      try {
        const childDone = new Promise<void>((resolve, reject) => {
          createInterface({ input: child.stdout! }).once('line', () => resolve());
          child.once('exit', (code) => reject(new Error(`bare restore exited ${code}`)));
        });
        childDone.catch(() => undefined);
        let bareFirst = NaN;
        for (;;) {
          const live = await liveCount(barePhones);
          if (live > 0 && Number.isNaN(bareFirst)) bareFirst = Date.now();
          if (live === BARE) break;
          if (Date.now() - bareStart > 180_000) throw new Error(`bare: only ${live}/${BARE} live 180 s after the start`);
          await sleep(50);
        }
        const bareAll = Date.now();
        out(`bare Baileys restart (new process, saved creds, all ${BARE} at once): first socket live ${s(bareFirst - bareStart)} s, all ${BARE} live ${s(bareAll - bareStart)} s after its start; first → last ${s(bareAll - bareFirst)} s`);
        out(`product (last restart) vs bare, process start → all live: ${s(lastAllLive.fromStart)} s vs ${s(bareAll - bareStart)} s`);
      } finally {
        child.kill('SIGKILL');
      }
    } finally {
      rmSync(authDir, { recursive: true, force: true });
    }
  }
} finally {
  // The second process dropped nothing of the first's data (its own names were unused); the first's stop() does.
  for (const p of processes.reverse()) await p.stop(10_000).catch(() => undefined);
  sim.stop();
}


/**
 * Send throughput: K text messages over HTTP through the full path (API → Postgres row → BullMQ job → worker →
 * engine → Baileys → simulator contact), spread over I instances with pacing off; then a paced phase (requests at
 * R/s, measuring the API's accept latency); then the same K messages with bare Baileys `sendMessage` over I sockets
 * on the same simulator (each socket awaiting its sends in turn, as BASELINE.md measured).
 *
 *   npm run bench:send -- [--messages 2000] [--instances 10] [--concurrency 50] [--rate 200] [--rate-seconds 10]
 *                         [--cpu-profile <dir>] [--split] [--accept-only]
 *
 * Three processes, as in production: the simulator; the product, started as `npm start` starts it (bench/support/
 * engine-process.ts: `node --import tsx src/main.ts`, NODE_ENV=production, role all, on a throw-away database and
 * Redis prefix); and this one, which is only the HTTP client and the inbox watcher. The watcher polls each contact's
 * inbox every 200 ms for the new entries only (`?after=`) and takes the simulator's `receivedAt`, so latencies are
 * exact. The engine process is stopped before the bare Baileys phase, which runs in this process.
 *
 * Prints throughput (first request → last message decrypted by its contact), p50/p99 from accept (202) to the
 * contact's decrypt, lost and duplicated counts, the ratio to bare Baileys, CPU ms per message of the engine
 * process (phase 1) and of this process (bare phase), and p50/p99 accept latency at R requests/s.
 *
 * --split: the product as two processes on the same database and Redis prefix, ROLE=api (HTTP, accepts) and
 * ROLE=worker (sockets and send workers), as a scaled deployment runs it; CPU figures add both.
 *
 * --accept-only: only the accept phase, the product at its default pacing (1 message/s per instance), so the
 * API's latency is measured without the send workers saturating the machine.
 *
 * --cpu-profile <dir>: the engine runs with `--cpu-prof --cpu-prof-dir=<dir>`; Node writes one .cpuprofile of the
 * engine's whole life (start-up, pairing, both phases) when it exits.
 *
 * Needs Postgres and Redis (the test defaults; TEST_DATABASE_URL / TEST_REDIS_URL point elsewhere).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import makeWASocket, { Browsers, WA_CERT_DETAILS, type WASocket } from '@whiskeysockets/baileys';
import pino from 'pino';
import { ControlClient } from '../src/simulator/control/control-client.js';
import { pairBare, type BareAuth } from './support/bare-baileys.js';
import { EngineClient } from './support/engine-client.js';
import { databaseUrl } from '../tests/support/database.js';
import { startEngineProcess } from './support/engine-process.js';
import { freshPhone } from './support/fresh-phone.js';
import { watchInboxes, type InboxWatcher } from './support/inbox-watcher.js';
import { startSimulatorProcess } from './support/simulator-process.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '2000' },
    instances: { type: 'string', default: '10' },
    rate: { type: 'string', default: '200' },
    'rate-seconds': { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '50' },
    'cpu-profile': { type: 'string' },
    /** Two engine processes on the same data, as a scaled deployment runs: ROLE=api (HTTP) and ROLE=worker (sockets, send workers). */
    split: { type: 'boolean', default: false },
    /** Only the accept phase, with the product's default pacing (1 message/s per instance) so sending stays light. */
    'accept-only': { type: 'boolean', default: false },
    /** Seconds to wait after pairing before the accept phase (new sessions finish their start-up sync first). */
    settle: { type: 'string', default: '0' },
  },
});
const K = Number(values.messages);
const I = Number(values.instances);
const RATE = Number(values.rate);
const RATE_S = Number(values['rate-seconds']);
const CONCURRENCY = Number(values.concurrency);
const SETTLE_S = Number(values.settle);
const PROFILE_DIR = values['cpu-profile'] ? resolve(values['cpu-profile']) : null;
for (const m of ['log', 'info', 'warn'] as const) console[m] = () => undefined; // libsignal chatter (bare phase)
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};
const cpuMsOf = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

/** Throughput (from `started` to the last decrypt), lost and duplicated of one phase's watcher. */
function summarize(watcher: InboxWatcher, texts: string[], started: number) {
  const delivered = texts.filter((t) => watcher.receivedAt.has(t));
  const last = Math.max(...delivered.map((t) => watcher.receivedAt.get(t)!));
  return {
    delivered: delivered.length,
    seconds: (last - started) / 1000,
    rate: delivered.length / ((last - started) / 1000),
    lost: texts.length - delivered.length,
    duplicated: texts.filter((t) => (watcher.hits.get(t) ?? 0) > 1).length,
  };
}

/** Requests at RATE/s for RATE_S seconds; the time each took to be accepted (202), as the client and the server saw it. */
async function acceptPhase(post: (n: number, text: string) => Promise<{ at: number; serverMs: number }>) {
  const acceptMs: number[] = [];
  const serverMs: number[] = [];
  const windows = new Map<number, { client: number[]; server: number[] }>();
  const paced: Promise<void>[] = [];
  const total = RATE * RATE_S;
  const t0 = Date.now();
  for (let n = 0; n < total; n++) {
    const due = t0 + (n * 1000) / RATE;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    const sentAt = Date.now();
    paced.push(
      post(n, `paced ${n}`).then(({ at, serverMs: server }) => {
        acceptMs.push(at - sentAt);
        serverMs.push(server);
        const w = Math.floor((sentAt - t0) / 5000);
        const entry = windows.get(w) ?? { client: [], server: [] };
        entry.client.push(at - sentAt);
        entry.server.push(server);
        windows.set(w, entry);
      }),
    );
  }
  await Promise.all(paced);
  const sorted = [...windows].sort(([a], [b]) => a - b);
  const byWindow = sorted.map(([w, xs]) => `${w * 5}–${w * 5 + 5} s: ${pct(xs.client, 99)}`).join(', ');
  const serverByWindow = sorted.map(([w, xs]) => `${w * 5}–${w * 5 + 5} s: ${pct(xs.server, 99).toFixed(1)}`).join(', ');
  return { achieved: total / ((Date.now() - t0) / 1000), total, acceptMs, serverMs, byWindow, serverByWindow };
}

const sim = await startSimulatorProcess();
const control = new ControlClient(sim.controlUrl);
const nodeArgs = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), ENCRYPTION_KEY: randomBytes(32).toString('hex') };
const ACCEPT_ONLY = values['accept-only'];
const pacing: Record<string, string> = ACCEPT_ONLY ? { SEND_RATE_PER_SECOND: '1' } : {};
const engine = await startEngineProcess({ simulator: sim, nodeArgs, env: { ...pacing, ...(values.split ? { ...secrets, ROLE: 'api' } : {}) } });
const workerNode = values.split
  ? await startEngineProcess({
      simulator: sim,
      nodeArgs,
      env: { ...pacing, ...secrets, ROLE: 'worker', DATABASE_URL: databaseUrl(engine.databaseName), REDIS_PREFIX: engine.redisPrefix },
    })
  : null;
/** The product's CPU: both processes when split. */
const productCpuMs = (): number => engine.cpuMs() + (workerNode?.cpuMs() ?? 0);
const stopProduct = async (): Promise<void> => {
  await workerNode?.stop();
  await engine.stop();
};
try {
  const api = new EngineClient(engine.baseUrl);
  out(
    `K=${K} messages over ${I} instances; simulator pid ${sim.child.pid}, ` +
      (workerNode ? `api pid ${engine.pid} (ROLE=api), worker pid ${workerNode.pid} (ROLE=worker)` : `engine pid ${engine.pid}`),
  );

  // ---- I tenants, one instance each, one contact each ----------------------------------------------------------------
  const lanes: Array<{ cookie: string; instanceId: string; contact: string }> = [];
  for (let i = 0; i < I; i++) {
    const cookie = await api.tenant(`Bench ${i}`);
    const instanceId = await api.createInstance(cookie, { name: `Bench ${i}` });
    await api.pair(cookie, instanceId, control, freshPhone());
    const contact = freshPhone();
    await control.createContact(contact, `Bench ${i}`);
    lanes.push({ cookie, instanceId, contact });
  }
  out(`engine: ${I} instances paired`);
  const post = async (n: number, text: string): Promise<{ at: number; serverMs: number }> => {
    const lane = lanes[n % I]!;
    const { serverMs } = await api.sendText(lane.cookie, lane.instanceId, lane.contact, text);
    return { at: Date.now(), serverMs };
  };

  if (ACCEPT_ONLY) {
    if (SETTLE_S > 0) await sleep(SETTLE_S * 1000);
    const { achieved, total, acceptMs, serverMs, byWindow, serverByWindow } = await acceptPhase(post);
    out(`accept latency at ${achieved.toFixed(0)} req/s (${total} requests), sends paced at 1/s per instance: p50 ${pct(acceptMs, 50)} ms, p99 ${pct(acceptMs, 99)} ms (issue 14: p99 ≤ 50 ms)`);
    out(`  p99 by when sent (ms): ${byWindow}`);
    out(`  in the server (Server-Timing): p50 ${pct(serverMs, 50).toFixed(1)} ms, p99 ${pct(serverMs, 99).toFixed(1)} ms; p99 by window: ${serverByWindow}`);
    await stopProduct();
    sim.stop();
    process.exit(0);
  }

  // ---- phase 1: full path, as fast as it goes ----------------------------------------------------------------------
  const watcher = watchInboxes(control, lanes.map((l) => l.contact));
  const acceptedAt = new Map<string, number>();
  const texts = Array.from({ length: K }, (_, n) => `bench ${n}`);
  const engineCpu0 = productCpuMs();
  const benchCpu0 = process.cpuUsage();
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < K) {
        const n = next++;
        acceptedAt.set(texts[n]!, (await post(n, texts[n]!)).at);
      }
    }),
  );
  const acceptedAll = Date.now();
  await watcher.waitFor(K, 300_000);
  const engineCpu = productCpuMs() - engineCpu0;
  const benchCpu = cpuMsOf(process.cpuUsage(benchCpu0));
  await sleep(2000); // late duplicates
  await watcher.stop();
  const full = summarize(watcher, texts, started);
  const latencies = texts.filter((t) => watcher.receivedAt.has(t)).map((t) => watcher.receivedAt.get(t)! - acceptedAt.get(t)!);
  out(`engine: ${K} accepted in ${((acceptedAll - started) / 1000).toFixed(1)} s, delivered ${full.delivered} in ${full.seconds.toFixed(1)} s`);

  // ---- phase 2: accept latency at RATE requests/s (pacing off, the same instances) ---------------------------------
  const { achieved, total, acceptMs, serverMs, byWindow, serverByWindow } = await acceptPhase(post);
  await sleep(3000);
  api.close();
  await stopProduct();
  if (PROFILE_DIR) out(`engine cpu profile(s) in ${PROFILE_DIR}: ${readdirSync(PROFILE_DIR).filter((f) => f.endsWith('.cpuprofile')).join(', ')}`);

  // ---- bare Baileys on the same simulator, in this process (the engine process has exited) ------------------------
  WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(sim.rootPublicKey, 'hex');
  const logger = pino({ level: 'silent' });
  const openBare = (auth: BareAuth): WASocket =>
    makeWASocket({ waWebSocketUrl: sim.wsUrl, auth, logger, browser: Browsers.ubuntu('Chrome'), markOnlineOnConnect: false, syncFullHistory: false });
  const bare: Array<{ sock: WASocket; contact: string }> = [];
  for (let i = 0; i < I; i++) {
    const phone = freshPhone();
    const sock = await pairBare(openBare, (qr) => control.scan(qr, phone));
    const contact = freshPhone();
    await control.createContact(contact, `Bare ${i}`);
    bare.push({ sock, contact });
  }
  await sleep(2000);
  const bareWatcher = watchInboxes(control, bare.map((b) => b.contact));
  const bareTexts = Array.from({ length: K }, (_, n) => `bare ${n}`);
  const bareCpu0 = process.cpuUsage();
  const bareStart = Date.now();
  await Promise.all(
    bare.map(async ({ sock, contact }, i) => {
      for (let n = i; n < K; n += I) await sock.sendMessage(`${contact}@s.whatsapp.net`, { text: bareTexts[n]! });
    }),
  );
  await bareWatcher.waitFor(K, 300_000);
  const bareCpu = cpuMsOf(process.cpuUsage(bareCpu0));
  await bareWatcher.stop();
  const bareRun = summarize(bareWatcher, bareTexts, bareStart);
  for (const b of bare) b.sock.end(undefined);

  // ---- report ------------------------------------------------------------------------------------------------------
  const perMsg = (ms: number, n: number) => `${(ms / n).toFixed(2)} ms`;
  out('');
  out(`full path (HTTP → queue → Baileys → contact): ${full.rate.toFixed(0)} msg/s over ${I} instances (cold sessions: pkmsg)`);
  out(`bare Baileys sendMessage, ${I} sockets:         ${bareRun.rate.toFixed(0)} msg/s`);
  out(`ratio engine / bare:                            ${(full.rate / bareRun.rate).toFixed(2)}× (issue 14: ≥ 0.5×)`);
  out(`accept → contact decrypt:                       p50 ${pct(latencies, 50)} ms, p99 ${pct(latencies, 99)} ms (exact: simulator receivedAt)`);
  out(`lost / duplicated:                              ${full.lost} / ${full.duplicated} engine, ${bareRun.lost} / ${bareRun.duplicated} bare (target 0 / 0)`);
  out(`CPU per message, engine process (phase 1):      ${perMsg(engineCpu, full.delivered)} (${(engineCpu / 1000).toFixed(1)} s CPU; issue 14: ≤ 3.5 ms)`);
  out(`CPU per message, bare Baileys process:          ${perMsg(bareCpu, bareRun.delivered)} (${(bareCpu / 1000).toFixed(1)} s CPU, incl. the inbox watcher); engine / bare ${(engineCpu / full.delivered / (bareCpu / bareRun.delivered)).toFixed(2)}×`);
  out(`CPU per message, load generator (phase 1):      ${perMsg(benchCpu, full.delivered)} (HTTP client + inbox watcher, not in the engine's)`);
  out(`accept latency at ${achieved.toFixed(0)} req/s (${total} requests): p50 ${pct(acceptMs, 50)} ms, p99 ${pct(acceptMs, 99)} ms (issue 14: p99 ≤ 50 ms)`);
  out(`  p99 by when sent (ms): ${byWindow}`);
  out(`  in the server (Server-Timing): p50 ${pct(serverMs, 50).toFixed(1)} ms, p99 ${pct(serverMs, 99).toFixed(1)} ms; p99 by window: ${serverByWindow}`);
  if (existsSync(engine.logFile)) out(`engine warnings and errors (LOG_LEVEL=warn): ${engine.logFile}`);
} finally {
  await stopProduct();
  sim.stop();
}
process.exit(0);

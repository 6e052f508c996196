/**
 * Webhook delivery under load: simulator contacts send M inbound messages at a steady rate to several instances
 * while a local receiver records arrivals. Phase 1 runs undisturbed; phase 2 stops the receiver for a while
 * mid-run. Prints the sustained rate, p50/p99 from the simulator's push to the webhook's arrival, and lost and
 * duplicated counts per phase.
 *
 *   npm run bench:webhooks -- [--messages 5000] [--rate 200] [--instances 4] [--contacts 20] [--outage 30]
 *                             [--warmup 0] [--nodes 1] [--cpu-profile <dir>]
 *
 * Three processes, as in production: the simulator; the product, started as `npm start` starts it (bench/support/
 * engine-process.ts: `node --import tsx src/main.ts`, NODE_ENV=production, role all, on a throw-away database and
 * Redis prefix; `--nodes N` starts N such processes on the same data, each running the instances created through it); and this one, which holds the webhook receiver and pushes the contacts' messages through the
 * simulator's control API. Also prints the engine process's CPU per message of each phase.
 *
 * --cpu-profile <dir>: the engine runs with `--cpu-prof --cpu-prof-dir=<dir>`; Node writes one .cpuprofile of the
 * engine's whole life when it exits. Needs Postgres and Redis (the test defaults).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ControlClient } from '../src/simulator/control/control-client.js';
import { Receiver } from '../tests/support/webhook-receiver.js';
import { EngineClient } from './support/engine-client.js';
import { startEngineProcess, type EngineProcess } from './support/engine-process.js';
import { databaseUrl } from '../tests/support/database.js';
import { freshPhone } from './support/fresh-phone.js';
import { startSimulatorProcess } from './support/simulator-process.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '5000' },
    rate: { type: 'string', default: '200' },
    instances: { type: 'string', default: '4' },
    contacts: { type: 'string', default: '20' },
    outage: { type: 'string', default: '30' },
    /** Messages sent at a low rate (50/s) before phase 1: Signal sessions established, the code paths warm. */
    warmup: { type: 'string', default: '0' },
    /** Product processes (ROLE=all) on the same database and Redis prefix, as a scaled deployment runs them. */
    nodes: { type: 'string', default: '1' },
    'cpu-profile': { type: 'string' },
  },
});
const MESSAGES = Number(values.messages);
const RATE = Number(values.rate);
const INSTANCES = Number(values.instances);
const CONTACTS = Number(values.contacts);
const OUTAGE_MS = Number(values.outage) * 1000;
const WARMUP = Number(values.warmup);
const NODES = Math.max(1, Number(values.nodes));

const PROFILE_DIR = values['cpu-profile'] ? resolve(values['cpu-profile']) : null;

const out = (line: string): void => void process.stdout.write(`${line}\n`);

const receiver = new Receiver();
await receiver.start();
/** Arrival time of each WhatsApp message id (first arrival), and how many times each event id arrived. */
const arrivals = new Map<string, number>();
/** When each message's event was committed to the outbox (the body's timestamp). */
const committed = new Map<string, number>();
const eventHits = new Map<string, number>();
const hitsSeen = { count: 0 };
const sim = await startSimulatorProcess();
const control = new ControlClient(sim.controlUrl);
// Retries a little sooner than production so phase 2 finishes in reasonable time. Shared secrets: with --nodes,
// every process reads what the others wrote (sessions, sealed webhook secrets).
const engineEnv = {
  WEBHOOK_BACKOFF_BASE_MS: '1000',
  WEBHOOK_BACKOFF_MAX_MS: '10000',
  WEBHOOK_MAX_ATTEMPTS: '30',
  JWT_SECRET: randomBytes(32).toString('hex'),
  ENCRYPTION_KEY: randomBytes(32).toString('hex'),
};
const nodeArgs = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
const engine = await startEngineProcess({ simulator: sim, env: engineEnv, nodeArgs });
/** Further nodes (--nodes): the same database and Redis prefix as the first. */
const moreNodes: EngineProcess[] = [];
for (let n = 1; n < NODES; n++) {
  const env = { ...engineEnv, DATABASE_URL: databaseUrl(engine.databaseName), REDIS_PREFIX: engine.redisPrefix };
  moreNodes.push(await startEngineProcess({ simulator: sim, env, nodeArgs }));
}
const nodes = [engine, ...moreNodes];
/** Instance i is created through node i % N, which then runs it (as behind a load balancer). */
const apis = nodes.map((n) => new EngineClient(n.baseUrl));
const productCpuMs = (): number => nodes.reduce((sum, n) => sum + n.cpuMs(), 0);

function collect(): void {
  const hits = receiver.hitsOf('/bench');
  for (; hitsSeen.count < hits.length; hitsSeen.count++) {
    const hit = hits[hitsSeen.count]!;
    const body = JSON.parse(hit.body) as { id: string; event: string; timestamp: string; data: { key?: { id?: string } } };
    if (body.event !== 'messages.upsert' || !body.data.key?.id) continue;
    eventHits.set(body.id, (eventHits.get(body.id) ?? 0) + 1);
    if (!arrivals.has(body.data.key.id)) {
      arrivals.set(body.data.key.id, hit.at);
      committed.set(body.data.key.id, Date.parse(body.timestamp));
    }
  }
}

try {
  out(`pairing ${INSTANCES} instances, creating ${CONTACTS} contacts; simulator pid ${sim.child.pid}, engine pid(s) ${nodes.map((n) => n.pid).join(', ')}`);
  const phones: string[] = [];
  for (let i = 0; i < INSTANCES; i++) {
    const api = apis[i % apis.length]!;
    const cookie = await api.tenant(`Bench ${i}`);
    const instanceId = await api.createInstance(cookie, { name: `Bench ${i}`, webhookUrl: receiver.url('/bench'), webhookEvents: ['messages.upsert'] });
    const phone = freshPhone();
    await api.pair(cookie, instanceId, control, phone);
    phones.push(phone);
  }
  const contacts: string[] = [];
  for (let i = 0; i < CONTACTS; i++) {
    const phone = freshPhone();
    await control.createContact(phone, `Contact ${i}`);
    contacts.push(phone);
  }

  async function phase(name: string, outage: boolean, messages = MESSAGES, rate = RATE): Promise<void> {
    const sent = new Map<string, number>();
    const before = new Set(arrivals.keys());
    const eventsBefore = new Map(eventHits);
    const cpuBefore = productCpuMs();
    const started = Date.now();
    const outageAt = started + (messages / rate) * 1000 * 0.3;
    let outageTimer: Promise<void> | null = null;
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; i < messages; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (outage && !outageTimer && Date.now() >= outageAt) {
        out(`  receiver down for ${OUTAGE_MS / 1000} s`);
        await receiver.stop();
        outageTimer = new Promise<void>((resolve) => setTimeout(resolve, OUTAGE_MS)).then(async () => {
          await receiver.start();
          out('  receiver up again');
        });
      }
      const contact = contacts[i % contacts.length]!;
      const to = phones[i % phones.length]!;
      const pushedAt = Date.now();
      const p: Promise<void> = control
        .sendFromContact(contact, { to, text: `${name} ${i}` })
        .then(({ id }) => void sent.set(id, pushedAt))
        .catch((err: unknown) => out(`  send failed: ${(err as Error).message}`))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= 100) await Promise.race(inFlight);
      if (i % 200 === 0) collect();
    }
    await Promise.all(inFlight);
    const lastSend = Date.now();
    await outageTimer;
    const deadline = Date.now() + 120_000;
    for (;;) {
      collect();
      if ([...sent.keys()].every((id) => arrivals.has(id)) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const engineCpuMs = productCpuMs() - cpuBefore;
    await new Promise((r) => setTimeout(r, 1000)); // late duplicates
    collect();
    const latencies = [...sent].filter(([id]) => arrivals.has(id) && !before.has(id)).map(([id, at]) => arrivals.get(id)! - at).sort((a, b) => a - b);
    const pctOf = (values: number[], p: number) => values[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? NaN;
    const pct = (p: number) => pctOf(latencies, p);
    const fresh = [...sent.keys()].filter((id) => arrivals.has(id) && !before.has(id));
    const ingest = fresh.map((id) => committed.get(id)! - sent.get(id)!).sort((a, b) => a - b);
    const deliver = fresh.map((id) => arrivals.get(id)! - committed.get(id)!).sort((a, b) => a - b);
    const lost = [...sent.keys()].filter((id) => !arrivals.has(id)).length;
    let duplicated = 0;
    for (const [id, n] of eventHits) duplicated += Math.max(0, n - Math.max(1, eventsBefore.get(id) ?? 0));
    const lastArrival = Math.max(...[...sent.keys()].map((id) => arrivals.get(id) ?? 0));
    out(
      `${name}: ${sent.size} messages pushed in ${((lastSend - started) / 1000).toFixed(1)} s ` +
        `(${(sent.size / ((lastSend - started) / 1000)).toFixed(0)}/s); delivered ${latencies.length} in ` +
        `${((lastArrival - started) / 1000).toFixed(1)} s (${(latencies.length / ((lastArrival - started) / 1000)).toFixed(0)}/s sustained)`,
    );
    out(`  push → webhook: p50 ${pct(50)} ms, p90 ${pct(90)} ms, p99 ${pct(99)} ms, max ${latencies.at(-1)} ms`);
    // When the slow ones were pushed: p99 per 5 s window of the phase (a backlog at the start vs. steady state).
    const windows = new Map<number, number[]>();
    for (const id of fresh) {
      const w = Math.floor((sent.get(id)! - started) / 5000);
      windows.set(w, [...(windows.get(w) ?? []), arrivals.get(id)! - sent.get(id)!]);
    }
    const byWindow = [...windows]
      .sort(([a], [b]) => a - b)
      .map(([w, xs]) => `${w * 5}–${w * 5 + 5} s: ${pctOf(xs.sort((a, b) => a - b), 99)}`)
      .join(', ');
    out(`  p99 by when pushed (ms): ${byWindow}`);
    out(`    of which push → outbox commit (engine, messaging): p50 ${pctOf(ingest, 50)} ms, p99 ${pctOf(ingest, 99)} ms`);
    out(`    and outbox commit → webhook (this module): p50 ${pctOf(deliver, 50)} ms, p99 ${pctOf(deliver, 99)} ms`);
    out(`  lost ${lost}, duplicated ${duplicated}${sendFailures(sent.size, messages)}`);
    out(`  engine CPU (${NODES} process${NODES > 1 ? "es" : ""}): ${(engineCpuMs / 1000).toFixed(1)} s, ${(engineCpuMs / Math.max(1, latencies.length)).toFixed(2)} ms per delivered message`);
  }
  const sendFailures = (ok: number, of: number) => (ok < of ? ` (${of - ok} pushes failed at the simulator)` : '');

  if (WARMUP > 0) {
    out(`warm-up: ${WARMUP} messages at ${Math.min(RATE, 50)}/s (not counted in the phases)`);
    await phase('warm-up', false, WARMUP, Math.min(RATE, 50));
  }
  out(`phase 1: ${MESSAGES} messages at ${RATE}/s to ${INSTANCES} instances`);
  await phase('phase 1', false);
  out(`phase 2: the same with the receiver down for ${OUTAGE_MS / 1000} s`);
  await phase('phase 2', true);
} finally {
  for (const node of moreNodes) await node.stop();
  await engine.stop();
  await receiver.stop();
  sim.stop();
}
if (PROFILE_DIR) out(`engine cpu profile(s) in ${PROFILE_DIR}: ${readdirSync(PROFILE_DIR).filter((f) => f.endsWith('.cpuprofile')).join(', ')}`);
if (existsSync(engine.logFile)) out(`engine warnings and errors (LOG_LEVEL=warn): ${engine.logFile}`);
process.exit(0);

/**
 * The whole product at scale, measured from outside (what bench/scale.ts prints and tests/e2e/scale-short.test.ts
 * checks): the product started as `npm start` starts it (bench/support/engine-process.ts), the simulator in its own
 * process, this process only the HTTP client, the webhook receiver and the simulated phones.
 *
 * 1. pairs N instances through the API (`batch` at a time, `perTenant` per enterprise tenant) and samples, at every
 *    `every` instances: RSS, V8 heap (GET /metrics), Redis and Postgres connections of the product's process
 *    (/proc), and how long that step of pairings took;
 * 2. idle: CPU of the product over `idleSeconds`, after `settleSeconds`;
 * 3. restart: SIGTERM, a new process on the same database and Redis, timed until all N devices are connected at the
 *    simulator (not until the rows say so), and how many QR codes appeared meanwhile (none expected);
 * 4. messages: one text out (send-text → a simulator contact's inbox) and one in (the contact → the instance → a
 *    `messages.upsert` webhook) per instance, with latencies and lost / duplicated counts.
 */
import { randomBytes } from 'node:crypto';
import { ControlClient } from '../../src/simulator/control/control-client.js';
import { Receiver } from '../../tests/support/webhook-receiver.js';
import { EngineClient } from './engine-client.js';
import { startEngineProcess, type EngineProcess } from './engine-process.js';
import { freshPhone } from './fresh-phone.js';
import { watchInboxes } from './inbox-watcher.js';
import { connectionsByRemotePort, rssMb } from './process-probe.js';
import { startSimulatorProcess, type SimulatorProcess } from './simulator-process.js';
import { databaseUrl } from '../../tests/support/database.js';

export interface ScaleOptions {
  n: number;
  batch: number;
  perTenant: number;
  /** Sample every this many instances. */
  every: number;
  settleSeconds: number;
  idleSeconds: number;
  restart: boolean;
  messages: boolean;
  /** Extra environment for the product. */
  env?: Record<string, string>;
  nodeArgs?: string[];
  redisPort?: number;
  postgresPort?: number;
  log?: (line: string) => void;
}

export interface ScaleSample {
  instances: number;
  rssMb: number;
  heapMb: number;
  redisConnections: number;
  postgresConnections: number;
  /** Seconds the pairings since the previous sample took. */
  stepSeconds: number;
}

export interface ScaleResult {
  samples: ScaleSample[];
  paired: number;
  idle: { rssMb: number; heapMb: number; cpuPercent: number; redisConnections: number; postgresConnections: number };
  restart: {
    shutdownSeconds: number;
    liveSeconds: number;
    live: number;
    qrCodes: number;
    /** The restarted process at idle (no pairing happened in it: its steady state). */
    idle: { rssMb: number; heapMb: number; cpuPercent: number; emptyRssMb: number };
  } | null;
  messages: {
    out: { sent: number; delivered: number; lost: number; duplicated: number; p50Ms: number; p99Ms: number; seconds: number };
    in: { sent: number; delivered: number; lost: number; duplicated: number; p50Ms: number; p99Ms: number; seconds: number };
  } | null;
  /** The product's log (LOG_LEVEL=warn). */
  logFiles: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};

async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

async function heapMb(engine: EngineProcess, token: string): Promise<number> {
  const res = await fetch(`${engine.baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  const m = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([\d.e+]+)$/m.exec(text);
  return m ? Number(m[1]) / 1024 / 1024 : NaN;
}

interface Paired {
  cookie: string;
  instanceId: string;
  phone: string;
}

/** Connected devices at the simulator among `phones`. */
async function liveAtSimulator(control: ControlClient, phones: Set<string>): Promise<number> {
  const state = await control.state();
  let live = 0;
  for (const p of state.phones) if (phones.has(p.phone) && p.devices.some((d) => d.connected)) live += 1;
  return live;
}

export async function runScale(options: ScaleOptions): Promise<ScaleResult> {
  const log = options.log ?? (() => undefined);
  const redisPort = options.redisPort ?? 6379;
  const postgresPort = options.postgresPort ?? 5432;
  const sim: SimulatorProcess = await startSimulatorProcess();
  const control = new ControlClient(sim.controlUrl);
  const receiver = new Receiver();
  await receiver.start();
  const hookUrl = receiver.url('/hook');
  const admin = { email: `admin-${randomBytes(4).toString('hex')}@example.com`, password: 'correct horse battery' };
  const metricsToken = randomBytes(16).toString('hex');
  const secrets = {
    JWT_SECRET: randomBytes(32).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    METRICS_TOKEN: metricsToken,
  };
  let engine = await startEngineProcess({ simulator: sim, nodeArgs: options.nodeArgs, env: { ...secrets, ...options.env } });
  const logFiles = [engine.logFile];
  const probe = async (): Promise<Omit<ScaleSample, 'instances' | 'stepSeconds'>> => {
    const conns = connectionsByRemotePort(engine.pid, [redisPort, postgresPort]);
    return {
      rssMb: rssMb(engine.pid),
      heapMb: await heapMb(engine, metricsToken),
      redisConnections: conns[redisPort] ?? 0,
      postgresConnections: conns[postgresPort] ?? 0,
    };
  };
  try {
    let api = new EngineClient(engine.baseUrl);
    const adminCookie = await api.login(admin.email, admin.password);

    // ---- 1. pairing -------------------------------------------------------------------------------------------
    const paired: Paired[] = [];
    const samples: ScaleSample[] = [];
    const first = await probe();
    samples.push({ instances: 0, ...first, stepSeconds: 0 });
    log(`instances    RSS MB   heap MB   redis conns   pg conns   pairing s/step`);
    const row = (s: ScaleSample) =>
      log(
        `${String(s.instances).padStart(9)} ${s.rssMb.toFixed(0).padStart(8)} ${s.heapMb.toFixed(0).padStart(9)} ` +
          `${String(s.redisConnections).padStart(13)} ${String(s.postgresConnections).padStart(10)} ${s.stepSeconds.toFixed(1).padStart(16)}`,
      );
    row(samples[0]!);
    let cookie = '';
    let stepStarted = Date.now();
    for (let start = 0; start < options.n; start += options.batch) {
      const count = Math.min(options.batch, options.n - start);
      // Tenants are created between batches, outside the timed pairings' concurrency.
      const tenantOf = async (i: number): Promise<string> => {
        if (i % options.perTenant === 0) {
          const name = `Scale ${randomBytes(3).toString('hex')} ${i}`;
          cookie = await api.tenant(name);
          await api.setPlan(adminCookie, name, 'enterprise');
        }
        return cookie;
      };
      const jobs: Array<{ cookie: string; instanceId: string; phone: string }> = [];
      for (let i = start; i < start + count; i++) {
        const c = await tenantOf(i);
        jobs.push({ cookie: c, instanceId: await api.createInstance(c, { name: `Scale ${i}`, webhookUrl: hookUrl, webhookEvents: ['messages.upsert'] }), phone: freshPhone() });
      }
      await Promise.all(jobs.map((j) => api.pair(j.cookie, j.instanceId, control, j.phone)));
      paired.push(...jobs);
      if (paired.length % options.every === 0 || paired.length === options.n) {
        const now = Date.now();
        const sample = { instances: paired.length, ...(await probe()), stepSeconds: (now - stepStarted) / 1000 };
        samples.push(sample);
        row(sample);
        stepStarted = Date.now();
      }
    }

    // ---- 2. idle ----------------------------------------------------------------------------------------------
    await sleep(options.settleSeconds * 1000);
    const cpu0 = engine.cpuMs();
    const t0 = Date.now();
    await sleep(options.idleSeconds * 1000);
    const cpuPercent = ((engine.cpuMs() - cpu0) / (Date.now() - t0)) * 100;
    const idleProbe = await probe();
    const idle = { ...idleProbe, cpuPercent };
    log(
      `idle at ${paired.length}: RSS ${idle.rssMb.toFixed(0)} MB, heap ${idle.heapMb.toFixed(0)} MB, CPU ${cpuPercent.toFixed(1)} % of a core ` +
        `(${((cpuPercent / paired.length) * 100).toFixed(2)} % per 100 instances), redis ${idle.redisConnections}, pg ${idle.postgresConnections}`,
    );

    // ---- 3. restart -------------------------------------------------------------------------------------------
    let restart: ScaleResult['restart'] = null;
    const phones = new Set(paired.map((p) => p.phone));
    if (options.restart) {
      const t = Date.now();
      await engine.terminate(60_000);
      const shutdownSeconds = (Date.now() - t) / 1000;
      const downDeadline = Date.now() + 30_000;
      while ((await liveAtSimulator(control, phones)) > 0 && Date.now() < downDeadline) await sleep(200);
      const previous = engine;
      const spawnedAt = Date.now();
      engine = await startEngineProcess({
        simulator: sim,
        nodeArgs: options.nodeArgs,
        env: { ...secrets, ...options.env, DATABASE_URL: databaseUrl(previous.databaseName), REDIS_PREFIX: previous.redisPrefix },
        readyTimeoutMs: 120_000,
      });
      logFiles.push(engine.logFile);
      api = new EngineClient(engine.baseUrl);
      const deadline = spawnedAt + 300_000;
      let live = 0;
      while (Date.now() < deadline) {
        live = await liveAtSimulator(control, phones);
        if (live === paired.length) break;
        await sleep(250);
      }
      const liveSeconds = (Date.now() - spawnedAt) / 1000;
      // A socket that came back without its credentials would show a QR (status qr): count them.
      let qrCodes = 0;
      await pool(paired, 10, async (p) => {
        const view = await api.instance(p.cookie, p.instanceId);
        if (view.status === 'qr') qrCodes += 1;
      });
      log(`restart: SIGTERM → exit ${shutdownSeconds.toFixed(1)} s; start → ${live}/${paired.length} sockets live at the simulator in ${liveSeconds.toFixed(1)} s; QR shown: ${qrCodes}`);
      await sleep(options.settleSeconds * 1000);
      const c0 = engine.cpuMs();
      const at = Date.now();
      await sleep(options.idleSeconds * 1000);
      const after = { ...(await probe()), cpuPercent: ((engine.cpuMs() - c0) / (Date.now() - at)) * 100 };
      const rssPer = (after.rssMb - samples[0]!.rssMb) / paired.length;
      log(
        `idle after the restart: RSS ${after.rssMb.toFixed(0)} MB (${rssPer.toFixed(2)} MB per instance over the empty process), heap ${after.heapMb.toFixed(0)} MB, ` +
          `CPU ${after.cpuPercent.toFixed(1)} % of a core (${((after.cpuPercent / paired.length) * 100).toFixed(2)} % per 100 instances)`,
      );
      restart = { shutdownSeconds, liveSeconds, live, qrCodes, idle: { rssMb: after.rssMb, heapMb: after.heapMb, cpuPercent: after.cpuPercent, emptyRssMb: samples[0]!.rssMb } };
    }

    // ---- 4. one message each way per instance ------------------------------------------------------------------
    let messages: ScaleResult['messages'] = null;
    if (options.messages) {
      const contact = freshPhone();
      await control.createContact(contact, 'Scale contact');
      const watcher = watchInboxes(control, [contact], { intervalMs: 250 });
      const acceptedAt = new Map<string, number>();
      const outTexts = paired.map((_, i) => `scale out ${i} ${randomBytes(3).toString('hex')}`);
      const outStarted = Date.now();
      await pool(
        paired.map((p, i) => ({ p, text: outTexts[i]! })),
        20,
        async ({ p, text }) => {
          await api.sendText(p.cookie, p.instanceId, contact, text);
          acceptedAt.set(text, Date.now());
        },
      );
      await watcher.waitFor(outTexts.length, 120_000);
      await sleep(3000); // late duplicates
      await watcher.stop();
      const outDelivered = outTexts.filter((t) => watcher.receivedAt.has(t));
      const outLat = outDelivered.map((t) => watcher.receivedAt.get(t)! - acceptedAt.get(t)!);
      const outLast = Math.max(...outDelivered.map((t) => watcher.receivedAt.get(t)!));
      const out = {
        sent: outTexts.length,
        delivered: outDelivered.length,
        lost: outTexts.length - outDelivered.length,
        duplicated: outTexts.filter((t) => (watcher.hits.get(t) ?? 0) > 1).length,
        p50Ms: pct(outLat, 50),
        p99Ms: pct(outLat, 99),
        seconds: (outLast - outStarted) / 1000,
      };
      log(`out: ${out.delivered}/${out.sent} delivered in ${out.seconds.toFixed(1)} s, accept → contact p50 ${out.p50Ms} ms p99 ${out.p99Ms} ms, lost ${out.lost}, duplicated ${out.duplicated}`);

      const hitsBefore = receiver.hits.length;
      const sentAt = new Map<string, number>();
      const inStarted = Date.now();
      await pool(paired, 20, async (p) => {
        const at = Date.now();
        const { id } = await control.sendFromContact(contact, { to: p.phone, text: `scale in ${p.instanceId}` });
        sentAt.set(id, at);
      });
      const inbound = (): Map<string, number[]> => {
        const seen = new Map<string, number[]>();
        for (const hit of receiver.hits.slice(hitsBefore)) {
          const body = JSON.parse(hit.body) as { event?: string; data?: { key?: { id?: string; fromMe?: boolean } } };
          const id = body.data?.key?.id;
          if (body.event !== 'messages.upsert' || !id || !sentAt.has(id)) continue;
          seen.set(id, [...(seen.get(id) ?? []), hit.at]);
        }
        return seen;
      };
      const inDeadline = Date.now() + 120_000;
      while (inbound().size < sentAt.size && Date.now() < inDeadline) await sleep(250);
      await sleep(3000);
      const seen = inbound();
      const inLat = [...seen].map(([id, ats]) => ats[0]! - sentAt.get(id)!);
      const inn = {
        sent: sentAt.size,
        delivered: seen.size,
        lost: sentAt.size - seen.size,
        duplicated: [...seen.values()].filter((ats) => ats.length > 1).length,
        p50Ms: pct(inLat, 50),
        p99Ms: pct(inLat, 99),
        seconds: (Math.max(...[...seen.values()].map((a) => a[0]!)) - inStarted) / 1000,
      };
      log(`in:  ${inn.delivered}/${inn.sent} webhooks in ${inn.seconds.toFixed(1)} s, contact → webhook p50 ${inn.p50Ms} ms p99 ${inn.p99Ms} ms, lost ${inn.lost}, duplicated ${inn.duplicated}`);
      messages = { out, in: inn };
    }
    return { samples, paired: paired.length, idle, restart, messages, logFiles };
  } finally {
    await engine.stop();
    await receiver.stop();
    sim.stop();
  }
}

/**
 * Density of the whole product: N instances paired through the API, as a user runs it (`npm start`: its own process,
 * production mode; the simulator in another process), then idle CPU, a restart and one message each way per
 * instance (see bench/support/scale-run.ts for what each phase does). Then bare Baileys sockets in this process on
 * the same simulator, the baseline: RSS per idle socket and idle CPU.
 *
 *   npm run bench:scale -- [--n 300] [--batch 10] [--per-tenant 50] [--every 100] [--settle 20] [--idle 30]
 *                          [--bare 100] [--no-restart] [--no-messages] [--cpu-profile <dir>] [--heap-snapshot-dir <dir>]
 *
 * Product env can be overridden from the environment of this command for: RESTORE_CONCURRENCY, SEND_LANES,
 * LEASE_TTL_MS.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import makeWASocket, { Browsers, WA_CERT_DETAILS, type WASocket } from '@whiskeysockets/baileys';
import pino from 'pino';
import { ControlClient } from '../src/simulator/control/control-client.js';
import { pairBare, type BareAuth } from './support/bare-baileys.js';
import { freshPhone } from './support/fresh-phone.js';
import { runScale } from './support/scale-run.js';
import { startSimulatorProcess } from './support/simulator-process.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '300' },
    batch: { type: 'string', default: '10' },
    'per-tenant': { type: 'string', default: '50' },
    every: { type: 'string', default: '100' },
    settle: { type: 'string', default: '20' },
    idle: { type: 'string', default: '30' },
    bare: { type: 'string', default: '100' },
    'no-restart': { type: 'boolean', default: false },
    'no-messages': { type: 'boolean', default: false },
    'cpu-profile': { type: 'string' },
    'heap-snapshot-dir': { type: 'string' },
  },
});
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
for (const m of ['log', 'info', 'warn'] as const) console[m] = () => undefined; // libsignal chatter (bare phase)

const env: Record<string, string> = {};
for (const name of ['RESTORE_CONCURRENCY', 'SEND_LANES', 'LEASE_TTL_MS']) {
  const value = process.env[name];
  if (value) env[name] = value;
}
const nodeArgs: string[] = [];
if (values['cpu-profile']) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${resolve(values['cpu-profile'])}`);
if (values['heap-snapshot-dir']) nodeArgs.push(`--heapsnapshot-signal=SIGUSR2`, `--diagnostic-dir=${resolve(values['heap-snapshot-dir'])}`);

const N = Number(values.n);
out(`bench:scale N=${N}, batches of ${values.batch}, ${values['per-tenant']} instances per tenant; product env ${JSON.stringify(env)}`);
const result = await runScale({
  n: N,
  batch: Number(values.batch),
  perTenant: Number(values['per-tenant']),
  every: Number(values.every),
  settleSeconds: Number(values.settle),
  idleSeconds: Number(values.idle),
  restart: !values['no-restart'],
  messages: !values['no-messages'],
  env,
  nodeArgs,
  log: out,
});

// ---- summary of the product -------------------------------------------------------------------------------------
const base = result.samples[0]!;
const last = result.samples[result.samples.length - 1]!;
const steps = result.samples.slice(1);
out('');
out(`product: RSS per connected idle instance ${((result.idle.rssMb - base.rssMb) / result.paired).toFixed(2)} MB ` +
  `((idle RSS ${result.idle.rssMb.toFixed(0)} − empty ${base.rssMb.toFixed(0)}) / ${result.paired}); target ≤ 1.5 MB`);
out(`product: idle CPU ${result.idle.cpuPercent.toFixed(1)} % of a core at ${result.paired}; target ≤ 10 % at 1,000`);
out(`product: Redis connections ${base.redisConnections} empty → ${last.redisConnections} at ${last.instances}; Postgres ${base.postgresConnections} → ${last.postgresConnections}`);
if (steps.length >= 2) out(`product: pairing of the last step ${steps[steps.length - 1]!.stepSeconds.toFixed(1)} s vs the first ${steps[0]!.stepSeconds.toFixed(1)} s (${(steps[steps.length - 1]!.stepSeconds / steps[0]!.stepSeconds).toFixed(2)}×; target ≤ 1.2×)`);
if (result.restart) {
  out(`product: restart → ${result.restart.live}/${result.paired} live in ${result.restart.liveSeconds.toFixed(1)} s, QR ${result.restart.qrCodes}; target ≤ 90 s at 1,000`);
  const r = result.restart.idle;
  out(`product after the restart (steady state, no pairing in that process): RSS per instance ${((r.rssMb - r.emptyRssMb) / result.paired).toFixed(2)} MB, idle CPU ${r.cpuPercent.toFixed(1)} % of a core`);
}
if (result.messages) out(`product: messages out lost ${result.messages.out.lost} dup ${result.messages.out.duplicated}; in lost ${result.messages.in.lost} dup ${result.messages.in.duplicated}`);
out(`product logs: ${result.logFiles.join(', ')}`);

// ---- bare Baileys, the same simulator kind, in this process --------------------------------------------------------
const B = Number(values.bare);
if (B > 0) {
  const gc = (globalThis as { gc?: () => void }).gc;
  const settledRss = async (): Promise<number> => {
    for (let i = 0; i < 3; i++) {
      gc?.();
      await sleep(200);
    }
    return process.memoryUsage().rss / 1024 / 1024;
  };
  const sim = await startSimulatorProcess();
  try {
    WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(sim.rootPublicKey, 'hex');
    const control = new ControlClient(sim.controlUrl);
    const logger = pino({ level: 'silent' });
    const openBare = (auth: BareAuth): WASocket =>
      makeWASocket({ waWebSocketUrl: sim.wsUrl, auth, logger, browser: Browsers.ubuntu('Chrome'), markOnlineOnConnect: false, syncFullHistory: false });
    const socks: WASocket[] = [];
    const pairSome = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i += 10) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(10, count - i) }, () => {
            const phone = freshPhone();
            return pairBare(openBare, (qr) => control.scan(qr, phone));
          }),
        );
        socks.push(...batch);
      }
    };
    const half = Math.floor(B / 2);
    await pairSome(half);
    await sleep(Number(values.settle) * 1000);
    const rssHalf = await settledRss();
    await pairSome(B - half);
    await sleep(Number(values.settle) * 1000);
    const rssFull = await settledRss();
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    await sleep(Number(values.idle) * 1000);
    const used = process.cpuUsage(cpu0);
    const cpuPercent = ((used.user + used.system) / 1000 / (Date.now() - t0)) * 100;
    out(`bare Baileys: RSS per idle socket ${((rssFull - rssHalf) / (B - half)).toFixed(2)} MB (slope ${half} → ${B}); idle CPU ${cpuPercent.toFixed(1)} % of a core at ${B} (${((cpuPercent / B) * 100).toFixed(2)} % per 100)`);
    for (const s of socks) s.end(undefined);
  } finally {
    sim.stop();
  }
}
process.exit(0);

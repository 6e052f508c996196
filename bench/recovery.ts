/**
 * Crash recovery: N paired instances on one engine process; `kill -9` it; start it again with the same NODE_ID on
 * the same Postgres and Redis, as an operator (or systemd, or Docker's restart policy) would. Prints how long until
 * every socket is live again at the simulator (each phone shows exactly one connected device), counted from the
 * kill and from the new process's start, and how long the new process took to answer /ready.
 *
 *   nice -n 10 npm run bench:recovery -- [--n 200] [--concurrency <RESTORE_CONCURRENCY>] [--pair-concurrency 4]
 *
 * The engine runs in its own processes (src/main.ts, as `npm start` does), the simulator in another.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ControlClient } from '../src/simulator/control/control-client.js';
import { databaseUrl } from '../tests/support/database.js';
import { EngineClient } from './support/engine-client.js';
import { startEngineProcess, type EngineProcess } from './support/engine-process.js';
import { freshPhone } from './support/fresh-phone.js';
import { startSimulatorProcess } from './support/simulator-process.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '200' },
    concurrency: { type: 'string' },
    'pair-concurrency': { type: 'string', default: '4' },
  },
});
const N = Number(values.n);
const PAIR_CONCURRENCY = Number(values['pair-concurrency']);
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

const sim = await startSimulatorProcess();
const control = new ControlClient(sim.controlUrl);
const nodeId = `bench-recovery-${randomBytes(3).toString('hex')}`;
const env: Record<string, string> = {
  NODE_ID: nodeId,
  JWT_SECRET: randomBytes(32).toString('hex'),
  ENCRYPTION_KEY: randomBytes(32).toString('hex'),
  ...(values.concurrency ? { RESTORE_CONCURRENCY: values.concurrency } : {}),
};
const first = await startEngineProcess({ simulator: sim, env });
const processes: EngineProcess[] = [first];
const client = new EngineClient(first.baseUrl);

try {
  out(`N=${N}, NODE_ID=${nodeId}, RESTORE_CONCURRENCY=${values.concurrency ?? 'default'}, simulator pid ${sim.child.pid}`);
  // One instance per tenant (the starter plan allows one).
  const phones = Array.from({ length: N }, () => freshPhone());
  let t = Date.now();
  await pool(phones, PAIR_CONCURRENCY, async (phone) => {
    const cookie = await client.tenant(`Recovery ${phone}`);
    const instanceId = await client.createInstance(cookie, { name: `r-${phone}` });
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

  const liveCount = async (): Promise<number> => {
    const state = await control.state();
    const mine = new Set(phones);
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
  const killedAt = Date.now();
  first.child.kill('SIGKILL');
  await new Promise<void>((resolve) => (first.child.exitCode !== null || first.child.signalCode !== null ? resolve() : first.child.once('exit', () => resolve())));
  let minLive = N;
  const startedAt = Date.now();
  const second = await startEngineProcess({
    simulator: sim,
    env: { ...env, DATABASE_URL: databaseUrl(first.databaseName), REDIS_PREFIX: first.redisPrefix },
  });
  processes.push(second);
  const readyAt = Date.now();
  t = Date.now();
  for (;;) {
    const live = await liveCount();
    minLive = Math.min(minLive, live);
    if (live === N) break;
    if (Date.now() - t > 180_000) throw new Error(`only ${live}/${N} live 180 s after the restart`);
    await sleep(100);
  }
  const allLiveAt = Date.now();
  out(`kill -9 → all ${N} sockets live again at the simulator: ${((allLiveAt - killedAt) / 1000).toFixed(1)} s after the kill`);
  out(`  new process: /ready ${((readyAt - startedAt) / 1000).toFixed(1)} s after its start; all live ${((allLiveAt - startedAt) / 1000).toFixed(1)} s after its start, ${((allLiveAt - readyAt) / 1000).toFixed(1)} s after /ready`);
  out(`  lowest live count seen after the restart: ${minLive}/${N}; never two connected devices for one phone`);
} finally {
  // The second process dropped nothing of the first's data (its own names were unused); the first's stop() does.
  for (const p of processes.reverse()) await p.stop(10_000).catch(() => undefined);
  sim.stop();
}


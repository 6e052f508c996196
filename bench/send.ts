/**
 * Send throughput: K text messages over HTTP through the full path (API → Postgres row → BullMQ job → worker →
 * engine → Baileys → simulator contact), spread over I instances with pacing off; then the same load with bare
 * Baileys `sendMessage` over I sockets on the same simulator (each socket awaiting its sends in turn, as
 * BASELINE.md measured). Then a paced phase: requests at R/s, measuring the API's accept latency.
 *
 *   npm run bench:send -- [--messages 2000] [--instances 10] [--rate 200] [--rate-seconds 10]
 *
 * Prints throughput (accept of the first request → last message decrypted by its contact), p50/p99 from accept to
 * the contact's decrypt (observed by polling the contacts' inboxes every 50 ms, so ±50 ms), lost and duplicated
 * counts, the ratio to bare Baileys, and p50/p99 accept latency at R requests/s.
 *
 * The simulator runs in its own process; the product runs in this one (createNode via the e2e harness, role all)
 * on a throw-away database and Redis prefix. Needs Postgres and Redis (the test defaults).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import makeWASocket, { Browsers, type WASocket } from '@whiskeysockets/baileys';
import pino from 'pino';
import { ControlClient } from '../src/simulator/control-client.js';
import type { RunningSimulator } from '../src/simulator/index.js';
import { ensureTemplate } from '../tests/support/database.js';
import { freshPhone, startEngineApp } from '../tests/support/engine-app.js';
import { createInstance, signup } from '../tests/support/factories.js';
import { messagingEnv } from '../tests/support/messaging.js';
import { pairBare, type BareAuth } from './support/bare-baileys.js';
import { startSimulatorProcess } from './support/simulator-process.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '2000' },
    instances: { type: 'string', default: '10' },
    rate: { type: 'string', default: '200' },
    'rate-seconds': { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '50' },
  },
});
const K = Number(values.messages);
const I = Number(values.instances);
const RATE = Number(values.rate);
const RATE_S = Number(values['rate-seconds']);
const CONCURRENCY = Number(values.concurrency);
for (const m of ['log', 'info', 'warn'] as const) console[m] = () => undefined; // libsignal chatter
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};

// ---- simulator in its own process ---------------------------------------------------------------------------
const info = await startSimulatorProcess();
const stopSimulator = info.stop;
const sim = { ...info, close: async () => stopSimulator() } as unknown as RunningSimulator;
const control = new ControlClient(info.controlUrl);

await ensureTemplate();
const e = await startEngineApp({ simulator: sim, env: messagingEnv({ SEND_RATE_PER_SECOND: '0', LOG_LEVEL: 'silent' }) });
const server = createServer(e.app);
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
out(`K=${K} messages over ${I} instances; simulator pid ${info.child.pid}`);

// ---- I tenants, one instance each, one contact each ----------------------------------------------------------------
const lanes: Array<{ cookie: string; instanceId: string; phone: string; contact: string }> = [];
for (let i = 0; i < I; i++) {
  const { cookie } = await signup(e.app);
  const { instanceId } = await createInstance(e.app, cookie);
  const { phone } = await e.pair(cookie, instanceId);
  const contact = freshPhone();
  await control.createContact(contact, `Bench ${i}`);
  lanes.push({ cookie, instanceId, phone, contact });
}
out(`engine: ${I} instances paired`);

/** Polls the contacts' inboxes; records the first time each text is seen and how many times. */
function watch(contacts: string[]) {
  const seenAt = new Map<string, number>();
  const hits = new Map<string, number>();
  const counted = new Map<string, number>();
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      await Promise.all(
        contacts.map(async (c) => {
          const items = await control.inbox(c);
          const from = counted.get(c) ?? 0;
          const at = Date.now();
          for (const item of items.slice(from)) {
            const key = item.text ?? item.id;
            hits.set(key, (hits.get(key) ?? 0) + 1);
            if (!seenAt.has(key)) seenAt.set(key, at);
          }
          counted.set(c, items.length);
        }),
      );
      await sleep(50);
    }
  })();
  return { seenAt, hits, stop: async () => ((stop = true), await loop) };
}

async function post(lane: (typeof lanes)[number], text: string): Promise<number> {
  const res = await fetch(`${base}/whatsapp/instances/${lane.instanceId}/send-text`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: lane.cookie },
    body: JSON.stringify({ to: lane.contact, message: text }),
  });
  if (res.status !== 202) throw new Error(`send-text ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
  return Date.now();
}

// ---- phase 1: full path, as fast as it goes ----------------------------------------------------------------------
const watcher = watch(lanes.map((l) => l.contact));
const acceptedAt = new Map<string, number>();
const texts = Array.from({ length: K }, (_, n) => `bench ${n}`);
const started = Date.now();
let next = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < K) {
      const n = next++;
      acceptedAt.set(texts[n]!, await post(lanes[n % I]!, texts[n]!));
    }
  }),
);
const acceptedAll = Date.now();
const deadline = Date.now() + 300_000;
while (watcher.seenAt.size < K && Date.now() < deadline) await sleep(100);
await sleep(2000); // late duplicates
await watcher.stop();
const lastSeen = Math.max(...watcher.seenAt.values());
const engineRate = watcher.seenAt.size / ((lastSeen - started) / 1000);
const latencies = texts.filter((t) => watcher.seenAt.has(t)).map((t) => watcher.seenAt.get(t)! - acceptedAt.get(t)!);
const lost = texts.filter((t) => !watcher.seenAt.has(t)).length;
const duplicated = [...watcher.hits.values()].filter((n) => n > 1).length;
out(`engine: ${K} accepted in ${((acceptedAll - started) / 1000).toFixed(1)} s, delivered ${watcher.seenAt.size} in ${((lastSeen - started) / 1000).toFixed(1)} s`);

// ---- phase 2: accept latency at RATE requests/s (pacing off, the same instances) ---------------------------------
const acceptMs: number[] = [];
const paced: Promise<void>[] = [];
const total = RATE * RATE_S;
const t0 = Date.now();
for (let n = 0; n < total; n++) {
  const due = t0 + (n * 1000) / RATE;
  const wait = due - Date.now();
  if (wait > 0) await sleep(wait);
  const sentAt = Date.now();
  paced.push(post(lanes[n % I]!, `paced ${n}`).then((at) => void acceptMs.push(at - sentAt)));
}
await Promise.all(paced);
const achieved = total / ((Date.now() - t0) / 1000);
await sleep(3000);

// ---- bare Baileys on the same simulator ----------------------------------------------------------------------------
const logger = pino({ level: 'silent' });
const pairBareSocket = (phone: string): Promise<WASocket> => pairBare(openBare, (qr) => control.scan(qr, phone));
const openBare = (auth: BareAuth): WASocket =>
  makeWASocket({ waWebSocketUrl: info.wsUrl, auth, logger, browser: Browsers.ubuntu('Chrome'), markOnlineOnConnect: false, syncFullHistory: false });
const bare: Array<{ sock: WASocket; contact: string }> = [];
for (let i = 0; i < I; i++) {
  const sock = await pairBareSocket(freshPhone());
  const contact = freshPhone();
  await control.createContact(contact, `Bare ${i}`);
  bare.push({ sock, contact });
}
await sleep(2000);
const bareWatcher = watch(bare.map((b) => b.contact));
const bareStart = Date.now();
await Promise.all(
  bare.map(async ({ sock, contact }, i) => {
    for (let n = i; n < K; n += I) await sock.sendMessage(`${contact}@s.whatsapp.net`, { text: `bare ${n}` });
  }),
);
const bareDeadline = Date.now() + 300_000;
while (bareWatcher.seenAt.size < K && Date.now() < bareDeadline) await sleep(100);
await bareWatcher.stop();
const bareLast = Math.max(...bareWatcher.seenAt.values());
const bareRate = bareWatcher.seenAt.size / ((bareLast - bareStart) / 1000);
for (const b of bare) b.sock.end(undefined);

// ---- report ------------------------------------------------------------------------------------------------------
out('');
out(`full path (HTTP → queue → Baileys → contact): ${engineRate.toFixed(0)} msg/s over ${I} instances (cold sessions: pkmsg)`);
out(`bare Baileys sendMessage, ${I} sockets:         ${bareRate.toFixed(0)} msg/s`);
out(`ratio engine / bare:                            ${(engineRate / bareRate).toFixed(2)}× (target ≥ 0.8×)`);
out(`accept → contact decrypt:                       p50 ${pct(latencies, 50)} ms, p99 ${pct(latencies, 99)} ms (±50 ms polling)`);
out(`lost / duplicated:                              ${lost} / ${duplicated} (target 0 / 0)`);
out(`accept latency at ${achieved.toFixed(0)} req/s (${total} requests): p50 ${pct(acceptMs, 50)} ms, p99 ${pct(acceptMs, 99)} ms (target p99 < 20 ms)`);

server.close();
await e.close();
stopSimulator();
process.exit(0);

/**
 * How much the simulator carries: N linked devices (real Baileys sockets, paired by QR) and messages
 * both ways. The simulator runs in a child process so its CPU and memory are measured on their own.
 *
 *   npm run bench:simulator -- [--devices 500] [--messages 2000] [--senders 20] [--concurrency 10]
 *
 * The Baileys sockets in this process are usually the bottleneck (BASELINE.md), so besides wall-clock
 * rates it prints the simulator's own CPU time per message: the capacity it would have alone.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import makeWASocket, { Browsers, DisconnectReason, initAuthCreds, WA_CERT_DETAILS, type SignalKeyStore, type WASocket } from '@whiskeysockets/baileys';
import pino from 'pino';
import { ControlClient } from '../src/simulator/control/control-client.js';
import { memoryKeyStore } from './support/bare-baileys.js';
import { startSimulatorProcess } from './support/simulator-process.js';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '100' },
    messages: { type: 'string', default: '2000' },
    senders: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '10' },
  },
});
const DEVICES = Number(values.devices);
const MESSAGES = Number(values.messages);
const SENDERS = Math.min(Number(values.senders), DEVICES);
const CONCURRENCY = Number(values.concurrency);

// libsignal chatter
for (const m of ['log', 'info', 'warn'] as const) console[m] = () => undefined;
const out = (line: string): void => void process.stdout.write(`${line}\n`);

const ready = await startSimulatorProcess(process.env.SIM_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.SIM_CPU_PROF] : []);
const child = ready.child;
WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(ready.rootPublicKey, 'hex');
const control = new ControlClient(ready.controlUrl);

const simCpuMs = (): number => {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
};
const simRssMb = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;


interface Device {
  phone: string;
  sock: WASocket;
  received: number;
}

const logger = pino({ level: 'silent' });
let shuttingDown = false;
/** Reconnects by close status code: Baileys' own keepalive closes sockets of an overloaded process (408). */
const reconnects = new Map<number, number>();
const reconnectSummary = (): string => (reconnects.size ? [...reconnects].map(([code, n]) => `${n}×${code}`).join(', ') : 'none');

function openSocket(auth: { creds: ReturnType<typeof initAuthCreds>; keys: SignalKeyStore }): WASocket {
  return makeWASocket({
    waWebSocketUrl: ready.wsUrl,
    auth,
    logger,
    browser: Browsers.ubuntu('Chrome'),
    markOnlineOnConnect: false,
    shouldSyncHistoryMessage: () => false,
  });
}

async function pair(phone: string): Promise<Device> {
  const auth = { creds: initAuthCreds(), keys: memoryKeyStore() };
  const first = openSocket(auth);
  await new Promise<void>((resolve, reject) => {
    first.ev.on('connection.update', (u) => {
      if (u.qr) control.scan(u.qr, phone).catch(reject);
      if (u.connection === 'close') {
        const code = (u.lastDisconnect?.error as { output?: { statusCode?: number } })?.output?.statusCode;
        if (code === DisconnectReason.restartRequired) resolve();
        else reject(new Error(`pairing closed with ${code}`));
      }
    });
  });
  const device: Device = { phone, sock: first, received: 0 };
  const connect = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const sock = openSocket(auth);
      device.sock = sock;
      sock.ev.on('messages.upsert', ({ messages }) => {
        for (const m of messages) if (!m.key.fromMe && m.message) device.received++;
      });
      let opened = false;
      sock.ev.on('connection.update', (u) => {
        if (u.connection === 'open') {
          opened = true;
          resolve();
        }
        if (u.connection === 'close') {
          const code = (u.lastDisconnect?.error as { output?: { statusCode?: number } })?.output?.statusCode ?? 0;
          if (!opened) return reject(new Error(`login closed with ${code}`));
          if (shuttingDown) return;
          // what a host does: reconnect with the same creds (Baileys drops sockets whose event loop lagged > 5 s)
          reconnects.set(code, (reconnects.get(code) ?? 0) + 1);
          connect().catch((err) => out(`reconnect failed: ${String(err)}`));
        }
      });
    });
  await connect();
  return device;
}

async function pool<T>(items: T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i]!, i);
      }
    }),
  );
}

const waitUntil = async (check: () => Promise<boolean> | boolean, timeoutMs = 300_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};

const CONTACTS = Array.from({ length: 10 }, (_, i) => `4470000${String(i).padStart(5, '0')}`);
for (const c of CONTACTS) await control.createContact(c, `Contact ${c}`);

out(`simulator pid ${child.pid}; idle RSS ${simRssMb().toFixed(0)} MB`);

// 1) pairing
let t = Date.now();
let cpu = simCpuMs();
const devices: Device[] = [];
await pool(
  Array.from({ length: DEVICES }, (_, i) => `5599${String(i).padStart(8, '0')}`),
  CONCURRENCY,
  async (phone) => void devices.push(await pair(phone)),
);
const pairMs = Date.now() - t;
const pairCpu = simCpuMs() - cpu;
await new Promise((r) => setTimeout(r, 2000));
const state = await control.state();
const connected = state.phones.reduce((n, p) => n + p.devices.filter((d) => d.connected).length, 0);
out(`reconnects so far: ${reconnectSummary()}`);
out(`paired ${DEVICES} devices in ${(pairMs / 1000).toFixed(1)} s (concurrency ${CONCURRENCY}); connected now: ${connected}`);
out(`  simulator CPU ${pairCpu.toFixed(0)} ms total = ${(pairCpu / DEVICES).toFixed(1)} ms per pairing; RSS ${simRssMb().toFixed(0)} MB`);

// 2) device -> contact (cold: first messages are pkmsg)
const senders = devices.slice(0, SENDERS);
const inboxTotal = async (): Promise<number> => (await control.state()).contacts.reduce((n, c) => n + c.inbox, 0);
const base = await inboxTotal();
t = Date.now();
cpu = simCpuMs();
await pool(senders, SENDERS, async (d, i) => {
  for (let k = i; k < MESSAGES; k += SENDERS) {
    for (let attempt = 0; ; attempt++) {
      try {
        await d.sock.sendMessage(`${CONTACTS[k % CONTACTS.length]}@s.whatsapp.net`, { text: `m${k}` });
        break;
      } catch (err) {
        if (attempt >= 10) throw err;
        await new Promise((r) => setTimeout(r, 1000)); // socket reconnecting
      }
    }
  }
});
await waitUntil(async () => (await inboxTotal()) >= base + MESSAGES);
let ms = Date.now() - t;
let simCpu = simCpuMs() - cpu;
out(`device → contact: ${MESSAGES} msgs from ${SENDERS} sockets in ${ms} ms = ${((MESSAGES * 1000) / ms).toFixed(0)} msg/s wall`);
out(`  simulator CPU ${simCpu.toFixed(0)} ms = ${((simCpu * 1000) / MESSAGES).toFixed(0)} µs/msg → ~${((MESSAGES * 1000) / simCpu).toFixed(0)} msg/s per simulator core`);

// 3) contact -> device
const receivedTotal = (): number => devices.reduce((n, d) => n + d.received, 0);
const base2 = receivedTotal();
const targets = devices.slice(0, SENDERS);
t = Date.now();
cpu = simCpuMs();
await pool(
  Array.from({ length: MESSAGES }, (_, k) => k),
  50,
  async (k) => void (await control.sendFromContact(CONTACTS[k % CONTACTS.length]!, { to: targets[k % targets.length]!.phone, text: `in${k}` })),
);
const acceptedMs = Date.now() - t;
await waitUntil(() => receivedTotal() >= base2 + MESSAGES);
ms = Date.now() - t;
simCpu = simCpuMs() - cpu;
out(`contact → device: ${MESSAGES} msgs to ${targets.length} sockets: accepted in ${acceptedMs} ms, all upserted in ${ms} ms = ${((MESSAGES * 1000) / ms).toFixed(0)} msg/s wall`);
out(`  simulator CPU ${simCpu.toFixed(0)} ms (incl. control API) = ${((simCpu * 1000) / MESSAGES).toFixed(0)} µs/msg → ~${((MESSAGES * 1000) / simCpu).toFixed(0)} msg/s per simulator core`);

// 4) idle
cpu = simCpuMs();
await new Promise((r) => setTimeout(r, 5000));
out(`idle with ${DEVICES} devices: simulator CPU ${(((simCpuMs() - cpu) / 5000) * 100).toFixed(1)}% of a core, RSS ${simRssMb().toFixed(0)} MB`);

const finalState = await control.state();
const finalConnected = finalState.phones.reduce((n, p) => n + p.devices.filter((d) => d.connected).length, 0);
out(`at the end: ${finalConnected}/${DEVICES} devices connected; host reconnects during the run: ${reconnectSummary()}`);
shuttingDown = true;
for (const d of devices) d.sock.end(undefined);
child.kill('SIGTERM');
process.exit(0);

import makeWASocket, {
  Browsers,
  DisconnectReason,
  initAuthCreds,
  WA_CERT_DETAILS,
  type AuthenticationCreds,
  type BaileysEventMap,
  type SignalDataTypeMap,
  type SignalKeyStore,
  type UserFacingSocketConfig,
  type WASocket,
} from '@whiskeysockets/baileys';
import pino from 'pino';
import { startSimulator, type RunningSimulator } from '../../../src/simulator/index.js';
import { ControlClient } from '../../../src/simulator/control/control-client.js';

/**
 * Baileys leaves long timers behind a socket it ended (a query sent just before `end()` waits the full
 * defaultQueryTimeoutMs, the event buffer keeps a 30 s timer): they would hold Jest open for a minute
 * after the last test. In this test context only, long timers do not keep the process alive.
 */
export function unrefLongTimers(minMs = 2_000): void {
  const original = globalThis.setTimeout;
  const patched = ((handler: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const timer = original(handler, ms, ...args);
    if ((ms ?? 0) >= minMs) timer.unref();
    return timer;
  }) as typeof setTimeout;
  globalThis.setTimeout = Object.assign(patched, original);
}
unrefLongTimers();

/** Baileys and libsignal print session chatter with console.*; keep it out of the test output. */
export function silenceSignalChatter(): void {
  for (const method of ['log', 'info', 'warn', 'error'] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      const first = typeof args[0] === 'string' ? args[0] : '';
      if (/session|prekey|Closing|Decrypted message|Bad MAC|No matching sessions|WARNING/i.test(first)) return;
      original(...args);
    };
  }
}

export interface AuthState {
  creds: AuthenticationCreds;
  keys: SignalKeyStore;
}

/** Baileys auth state in memory, as BASELINE.md measures it. */
export function memoryAuth(): AuthState {
  const data = new Map<string, unknown>();
  const keys: SignalKeyStore = {
    async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const out: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const id of ids) {
        const value = data.get(`${type}:${id}`);
        if (value !== undefined) out[id] = value as SignalDataTypeMap[T];
      }
      return out;
    },
    async set(update) {
      for (const [type, entries] of Object.entries(update)) {
        for (const [id, value] of Object.entries(entries ?? {})) {
          if (value === null || value === undefined) data.delete(`${type}:${id}`);
          else data.set(`${type}:${id}`, value);
        }
      }
    },
  };
  return { creds: initAuthCreds(), keys };
}

export interface Harness {
  sim: RunningSimulator;
  control: ControlClient;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const sim = await startSimulator({ seed: `contract-${process.pid}` });
  WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(sim.rootPublicKey, 'hex');
  return { sim, control: new ControlClient(sim.controlUrl), close: () => sim.close() };
}

/** A Baileys socket plus an event log to assert on. */
export class Client {
  readonly events: { name: keyof BaileysEventMap; data: unknown }[] = [];
  sock!: WASocket;
  private listeners: (() => void)[] = [];

  constructor(
    readonly sim: RunningSimulator,
    readonly auth: AuthState = memoryAuth(),
    private readonly extra: Partial<UserFacingSocketConfig> = {},
  ) {}

  connect(): WASocket {
    this.sock = makeWASocket({
      waWebSocketUrl: this.sim.wsUrl,
      auth: this.auth,
      logger: pino({ level: process.env.BAILEYS_LOG ?? 'silent' }),
      browser: Browsers.ubuntu('Chrome'),
      ...(process.env.BAILEYS_QUERY_TIMEOUT ? { defaultQueryTimeoutMs: Number(process.env.BAILEYS_QUERY_TIMEOUT) } : {}),
      markOnlineOnConnect: false,
      shouldSyncHistoryMessage: () => false,
      fireInitQueries: true,
      ...this.extra,
    });
    this.sock.ev.process((events) => {
      for (const [name, data] of Object.entries(events)) {
        this.events.push({ name: name as keyof BaileysEventMap, data });
        for (const l of this.listeners) l();
      }
    });
    this.sock.ev.on('creds.update', (update) => Object.assign(this.auth.creds, update));
    return this.sock;
  }

  /** Resolves with the first logged event (from index `from`) matching the predicate. */
  waitFor<K extends keyof BaileysEventMap>(name: K, predicate: (data: BaileysEventMap[K]) => boolean = () => true, timeoutMs = 10_000, from = 0): Promise<BaileysEventMap[K]> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (let i = from; i < this.events.length; i++) {
          const e = this.events[i]!;
          if (e.name === name && predicate(e.data as BaileysEventMap[K])) {
            resolve(e.data as BaileysEventMap[K]);
            return true;
          }
        }
        return false;
      };
      if (check()) return;
      const listener = (): void => {
        if (check()) cleanup();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${name}; saw: ${this.events.map((e) => e.name).join(', ')}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
      };
      this.listeners.push(listener);
    });
  }

  waitForOpen(from = 0) {
    return this.waitFor('connection.update', (u) => u.connection === 'open', 15_000, from);
  }

  waitForClose(from = 0) {
    return this.waitFor('connection.update', (u) => u.connection === 'close', 15_000, from);
  }

  mark(): number {
    return this.events.length;
  }

  end(): void {
    try {
      this.sock?.end(undefined);
    } catch {
      // already closed
    }
  }
}

export const statusOf = (update: BaileysEventMap['connection.update']): number | undefined =>
  (update.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;

/**
 * Pairs a new device by QR and logs it in: qr → scan → 515 → reconnect with the same creds → open.
 * This is the reconnect dance every Baileys host must do after a 515.
 */
export async function pairDevice(h: Harness, phone: string, name = 'Sim Phone', extra: Partial<UserFacingSocketConfig> = {}): Promise<Client> {
  const client = new Client(h.sim, memoryAuth(), extra);
  client.connect();
  const { qr } = await client.waitFor('connection.update', (u) => !!u.qr);
  await h.control.scan(qr!, phone, name);
  const closed = await client.waitForClose();
  if (statusOf(closed) !== DisconnectReason.restartRequired) throw new Error(`expected 515, got ${statusOf(closed)}`);
  const mark = client.mark();
  client.connect();
  await client.waitForOpen(mark);
  return client;
}

/** Retries an assertion until it passes (or rethrows its last failure after `timeoutMs`). */
export async function eventually(assertion: () => Promise<void> | void, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { initAuthCreds, type AuthenticationState } from '@whiskeysockets/baileys';
import pino from 'pino';
import { BusyError, NotConnectedError, RuntimeClosedError } from '../../src/engine/engine-errors.js';
import type { StatusChange } from '../../src/engine/engine-types.js';
import { InstanceRuntime } from '../../src/engine/instance-runtime.js';
import type { AuthStore } from '../../src/engine/runtime-types.js';

/** Auth in memory: the runtime's behaviour on a dead network does not need Redis. */
function memoryAuthStore(): AuthStore & { cleared: number } {
  const store = {
    cleared: 0,
    async load(): Promise<AuthenticationState> {
      return { creds: initAuthCreds(), keys: { get: async () => ({}), set: async () => undefined } };
    },
    async saveCreds() {},
    async clear() {
      store.cleared += 1;
    },
  };
  return store;
}

/** A TCP port that accepts and immediately drops every connection (a network that keeps failing). */
async function droppingServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}/ws/chat`, close: () => new Promise((r) => server.close(() => r())) };
}

const logger = pino({ level: 'silent' });
let net: Awaited<ReturnType<typeof droppingServer>>;
const runtimes: InstanceRuntime[] = [];

beforeAll(async () => {
  net = await droppingServer();
});
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  await net.close();
});

function runtime(over: Partial<ConstructorParameters<typeof InstanceRuntime>[0]> = {}) {
  const rt = new InstanceRuntime({
    instanceId: 'rt-unit',
    authStore: memoryAuthStore(),
    logger,
    waWebSocketUrl: net.url,
    backoff: { baseMs: 10, capMs: 40 },
    ...over,
  });
  runtimes.push(rt);
  const statuses: StatusChange[] = [];
  const closes: Array<number | undefined> = [];
  rt.on('status', (s) => statuses.push(s));
  rt.on('socket-close', (c) => closes.push(c.statusCode));
  return { rt, statuses, closes };
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('InstanceRuntime on a failing network', () => {
  it('backs off silently, then reports disconnected/network once, and keeps trying', async () => {
    const { rt, statuses, closes } = runtime({ maxFailuresBeforeDisconnected: 3 });
    await rt.start();
    await until(() => closes.length >= 6);
    expect(statuses.map((s) => `${s.status}/${s.reason}`)).toEqual(['disconnected/network']);
    expect(rt.running).toBe(true);
  });

  it('gives up after giveUpAfterFailures when configured', async () => {
    const { rt, statuses, closes } = runtime({ maxFailuresBeforeDisconnected: 2, giveUpAfterFailures: 4 });
    await rt.start();
    await until(() => statuses.length === 1 && !rt.running);
    await new Promise((r) => setTimeout(r, 150));
    expect(closes).toHaveLength(4);
    expect(statuses.map((s) => `${s.status}/${s.reason}`)).toEqual(['disconnected/network']);
  });

  it('refuses to send while not connected, and every method after close', async () => {
    const { rt } = runtime();
    await expect(rt.run('send', { jid: 'x@s.whatsapp.net', content: { type: 'text', text: 'hi' }, messageId: 'M1' })).rejects.toBeInstanceOf(NotConnectedError);
    await expect(rt.run('on-whatsapp', { phone: '+5511999999999' })).rejects.toBeInstanceOf(NotConnectedError);
    await rt.close();
    await rt.close();
    await expect(rt.start()).rejects.toBeInstanceOf(RuntimeClosedError);
  });

  it('answers BusyError in fail mode while another operation runs', async () => {
    const slowStore = memoryAuthStore();
    const load = slowStore.load;
    slowStore.load = async () => {
      await new Promise((r) => setTimeout(r, 100));
      return load();
    };
    const { rt } = runtime({ authStore: slowStore, lockMode: 'fail' });
    const starting = rt.start();
    await expect(rt.restart()).rejects.toBeInstanceOf(BusyError);
    await starting;
    expect(rt.busyWith).toBeNull();
  });
});

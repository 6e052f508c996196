import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { ControlClient } from '../../../src/simulator/control/control-client.js';
import { startSimulator, type RunningSimulator } from '../../../src/simulator/index.js';
import type { StatusChange } from '../../../src/engine/engine-types.js';
import { InstanceRuntime } from '../../../src/engine/instance-runtime.js';
import type { InstanceRuntimeOptions } from '../../../src/engine/runtime-types.js';
import { routeSignalConsole } from '../../../src/engine/libsignal-console.js';
import { RedisAuthState } from '../../../src/engine/redis-auth-state.js';
import { trustRootKey } from '../../../src/engine/trust-root.js';

export const silentLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export interface SimHarness {
  sim: RunningSimulator;
  control: ControlClient;
  close(): Promise<void>;
}

export async function startSimHarness(seed: string): Promise<SimHarness> {
  routeSignalConsole(silentLogger);
  const sim = await startSimulator({ seed });
  trustRootKey(sim.rootPublicKey);
  return { sim, control: new ControlClient(sim.controlUrl), close: () => sim.close() };
}

/** Records the status changes of a runtime and waits for the ones a test expects. */
export class StatusRecorder {
  readonly changes: StatusChange[] = [];
  private waiters: Array<() => void> = [];

  constructor(runtime: { on(event: 'status', listener: (change: StatusChange) => void): unknown }) {
    runtime.on('status', (change) => this.push(change));
  }

  push(change: StatusChange): void {
    this.changes.push(change);
    for (const w of this.waiters) w();
  }

  mark(): number {
    return this.changes.length;
  }

  waitFor(predicate: (c: StatusChange) => boolean, timeoutMs = 15_000, from = 0): Promise<StatusChange> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = this.changes.slice(from).find(predicate);
        if (hit) resolve(hit);
        return Boolean(hit);
      };
      if (check()) return;
      const waiter = (): void => {
        if (check()) cleanup();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out; statuses seen: ${this.changes.map((c) => `${c.status}/${c.reason}`).join(', ')}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      this.waiters.push(waiter);
    });
  }
}

export const testEncryptionKey = randomBytes(32);

export function makeRuntime(
  h: SimHarness,
  redis: Redis,
  keyPrefix: string,
  instanceId: string,
  over: Partial<InstanceRuntimeOptions> = {},
): { runtime: InstanceRuntime; recorder: StatusRecorder; auth: RedisAuthState } {
  const auth = new RedisAuthState({ redis, keyPrefix, instanceId, encryptionKey: testEncryptionKey });
  const runtime = new InstanceRuntime({
    instanceId,
    authStore: auth,
    logger: silentLogger,
    waWebSocketUrl: h.sim.wsUrl,
    backoff: { baseMs: 50, capMs: 500 },
    syncHistory: false,
    ...over,
  });
  return { runtime, recorder: new StatusRecorder(runtime), auth };
}

let phoneCounter = 0;
/** A fresh phone number per call (unique across test files through the pid). */
export function nextPhone(): string {
  phoneCounter += 1;
  return `55119${String(process.pid % 10_000).padStart(4, '0')}${String(phoneCounter).padStart(2, '0')}`;
}

/**
 * The whole product for e2e tests: the real app + engine (createNode, as main.ts wires it) against the WhatsApp
 * simulator, on this file's own Postgres database and Redis prefix. Reused by the instances, messaging and
 * webhooks e2e tests:
 *
 *   const e = await startEngineApp({ env: { QR_TTL_MS: '1000' } });
 *   const owner = await signup(e.app);
 *   const { instanceId } = await createInstance(e.app, owner.cookie);
 *   const { phone } = await e.pair(owner.cookie, instanceId);       // QR → scan → connected
 *   ...
 *   await e.close();                                                   // afterAll
 *
 * A second node on the same data (a process restart, another NODE_ID): `startEngineApp({ shareWith: e })`.
 */
import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import pino, { type Logger } from 'pino';
import request from 'supertest';
import type { Config } from '../../src/config/config.js';
import { createNode, type NodeInputs, type ZapNode } from '../../src/wiring/create-node.js';
import type { Services } from '../../src/wiring/create-services.js';
import { ControlClient } from '../../src/simulator/control/control-client.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { testConfig } from './app.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { createTestRedis, type TestRedis } from './redis.js';
import { keysMatching } from '../../src/persistence/redis/scan-keys.js';

export interface EngineAppOptions {
  /** A running simulator to use (shared by several apps); started (and closed by close()) when absent. */
  simulator?: RunningSimulator;
  /** Extra environment (strings, as in production), e.g. `{ QR_TTL_MS: '1000' }`. */
  env?: Record<string, string>;
  /** Run on the same database, Redis prefix and simulator as this app (a second node / a restarted process). */
  shareWith?: EngineApp;
  /** NODE_ID; default `test-<random>`. */
  nodeId?: string;
  /** Start the engine (default true). */
  start?: boolean;
  engineOverrides?: NodeInputs['engineOverrides'];
}

export interface EngineApp {
  app: Express;
  node: ZapNode;
  services: Services;
  config: Config;
  sim: RunningSimulator;
  /** The simulator's control API: the phone (scan, kick) and the contacts. */
  control: ControlClient;
  db: TestDatabase;
  redis: TestRedis;
  /** Every Redis key of this app starts with `${prefix}:`. */
  prefix: string;
  logger: Logger;
  /** GET /whatsapp/instances/{id} until `predicate` holds; returns the instance detail. */
  waitForInstance(cookie: string, instanceId: string, predicate: (i: InstanceView) => boolean, timeoutMs?: number): Promise<InstanceView>;
  /** Waits for the QR, scans it from `phone` (fresh number by default), waits for `connected`. */
  pair(cookie: string, instanceId: string, phone?: string): Promise<{ phone: string; instance: InstanceView }>;
  /** `data` of the instance's `connection.update` outbox events after `afterSequence`, oldest first. */
  connectionUpdates(instanceId: string, afterSequence?: number): Promise<ConnectionUpdate[]>;
  /** The instance's last outbox sequence number (a mark for connectionUpdates). */
  lastSequence(instanceId: string): Promise<number>;
  /** Redis keys of this app that mention `instanceId` (auth, lease, QR...). */
  keysOf(instanceId: string): Promise<string[]>;
  /** Stops this node like a SIGTERM (sockets closed without logout, leases released); data and simulator stay. */
  stop(): Promise<void>;
  /** stop(), then closes what this app owns (drops its database and Redis keys, closes its simulator). Safe twice. */
  close(): Promise<void>;
  /** Dies like kill -9: sockets destroyed, leases left to expire, no goodbye. close() still frees what it owns. */
  crash(): Promise<void>;
}

/** The instance detail as the API returns it. */
export interface InstanceView {
  id: string;
  status: string;
  statusReason: string | null;
  phone: string | null;
  profilePicUrl: string | null;
  nodeId?: string | null;
  qrCode?: { base64: string; code: string; expiry: number; attemptId: string };
  [key: string]: unknown;
}

/** A `connection.update` event's data. */
export interface ConnectionUpdate {
  status: string;
  reason: string;
  phone: string | null;
  qrCode?: { base64: string; code: string; expiry: number; attemptId: string };
  [key: string]: unknown;
}

const logLevel = process.env.TEST_LOG_LEVEL ?? 'silent';

/** Defaults for e2e runs: fast reconnects; QR lifetime and leases as in production unless a test says otherwise. */
export const ENGINE_TEST_ENV: Record<string, string> = {
  RECONNECT_BASE_MS: '100',
  RECONNECT_MAX_MS: '1000',
  RESTORE_CONCURRENCY: '10',
};

/** A fresh Brazilian mobile number, digits only (random: unique across test files sharing a simulator). */
export function freshPhone(): string {
  return `55119${String(randomBytes(4).readUInt32BE(0) % 100_000_000).padStart(8, '0')}`;
}

export async function startEngineApp(options: EngineAppOptions = {}): Promise<EngineApp> {
  const shared = options.shareWith;
  const ownsSim = !shared && !options.simulator;
  const sim = shared?.sim ?? options.simulator ?? (await startSimulator({ seed: `e2e-${process.pid}-${randomBytes(3).toString('hex')}` }));
  const ownsData = !shared;
  const [db, redis] = shared ? [shared.db, shared.redis] : await Promise.all([createTestDatabase(), createTestRedis()]);
  const config = testConfig({
    ...ENGINE_TEST_ENV,
    LOG_LEVEL: logLevel,
    REDIS_PREFIX: redis.prefix,
    DATABASE_URL: db.url,
    NODE_ID: options.nodeId ?? `test-${randomBytes(3).toString('hex')}`,
    WA_WS_URL: sim.wsUrl,
    WA_TRUST_ROOT_KEY: sim.rootPublicKey,
    ...options.env,
  });
  const logger = pino({ level: config.logLevel });
  const node = createNode({
    config,
    dataSource: db.dataSource,
    redis: redis.redis,
    logger,
    processMetrics: false,
    engineOverrides: {
      ...options.engineOverrides,
      supervisorOverrides: { restoreJitterMs: 50, ...options.engineOverrides?.supervisorOverrides },
    },
  });
  if (options.start !== false) await node.start();
  const control = new ControlClient(sim.controlUrl);

  let stopping: Promise<void> | null = null;
  let closing: Promise<void> | null = null;
  const closeOwned = async (): Promise<void> => {
    if (ownsData) await Promise.allSettled([db.close(), redis.close()]);
    if (ownsSim) await sim.close();
  };

  const e: EngineApp = {
    app: node.app,
    node,
    services: node.services,
    config,
    sim,
    control,
    db,
    redis,
    prefix: redis.prefix,
    logger,
    async waitForInstance(cookie, instanceId, predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let last: InstanceView | null = null;
      for (;;) {
        const res = await request(node.app).get(`/whatsapp/instances/${instanceId}`).set('Cookie', cookie);
        if (res.status === 200) {
          last = res.body.data as InstanceView;
          if (predicate(last)) return last;
        }
        if (Date.now() > deadline) {
          throw new Error(`instance ${instanceId} did not reach the expected state; last: ${last ? `${last.status}/${last.statusReason}` : res.status}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async pair(cookie, instanceId, phone = freshPhone()) {
      const qr = await e.waitForInstance(cookie, instanceId, (i) => i.status === 'qr' && Boolean(i.qrCode));
      await control.scan(qr.qrCode!.code, phone, 'E2E Phone');
      const instance = await e.waitForInstance(cookie, instanceId, (i) => i.status === 'connected', 30_000);
      return { phone, instance };
    },
    async connectionUpdates(instanceId, afterSequence = 0) {
      const rows = await node.services.repositories.webhookEvents.listAfter(instanceId, afterSequence, 10_000);
      return rows.filter((r) => r.event === 'connection.update').map((r) => r.payload as ConnectionUpdate);
    },
    lastSequence(instanceId) {
      return node.services.repositories.webhookEvents.lastSequence(instanceId);
    },
    keysOf(instanceId) {
      return keysMatching(redis.redis, `${redis.prefix}:*${instanceId}*`);
    },
    stop() {
      stopping ??= (async () => {
        for (const step of node.shutdownSteps()) {
          try {
            await step.close();
          } catch (err) {
            logger.warn({ err, step: step.name }, 'close failed');
          }
        }
      })();
      return stopping;
    },
    close() {
      closing ??= (async () => {
        await e.stop();
        await closeOwned();
      })();
      return closing;
    },
    crash() {
      stopping ??= (async () => {
        await node.engine.supervisor?.abandon();
        await node.engine.close();
      })();
      return stopping;
    },
  };
  return e;
}

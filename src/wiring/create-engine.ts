import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config/config.js';
import {
  EngineControl,
  NodeIdentityInUseError,
  EngineMetrics,
  InboundJournal,
  RemoteEngine,
  SessionSupervisor,
  clearInstanceAuth,
  createRuntimeFactory,
  routeSignalConsole,
  shareAsyncLocalStorage,
  rememberVerifiedSignatures,
  cacheAgreementKeys,
  trustRootKey,
  type EngineEventSink,
  type InboundSettlement,
  type InstanceDirectory,
  type RuntimeFactoryOptions,
  type SessionSupervisorOptions,
} from '../engine/index.js';
import { StartupError } from '../startup-error.js';

export type EngineConfig = Pick<
  Config,
  | 'role'
  | 'nodeId'
  | 'redisPrefix'
  | 'encryptionKey'
  | 'waWsUrl'
  | 'waTrustRootKey'
  | 'qrTtlMs'
  | 'qrMaxAttempts'
  | 'leaseTtlMs'
  | 'nodeLivenessTtlMs'
  | 'reconnectBaseMs'
  | 'reconnectMaxMs'
  | 'reconnectMaxAttempts'
  | 'restoreConcurrency'
>;

export interface EngineInputs {
  config: EngineConfig;
  redis: Redis;
  logger: Logger;
  /** Shared with GET /metrics. */
  registry: Registry;
  /** Which instances should run (Postgres). */
  directory: InstanceDirectory;
  /** Where statuses and events go (the EngineEventRouter). */
  sink: EngineEventSink;
  /** Tests and benchmarks: tune the supervisor (sync interval, jitter...) or the runtimes. */
  supervisorOverrides?: Partial<SessionSupervisorOptions>;
  runtimeOverrides?: Partial<RuntimeFactoryOptions>;
}

export interface Engine {
  /** The local supervisor, or null on a node that runs no sockets (ROLE=api). */
  supervisor: SessionSupervisor | null;
  /** What the services call (InstanceLifecycle); works on every role. */
  control: EngineControl;
  metrics: EngineMetrics;
  /** Where the services say an inbound message is stored, so its journal entry goes (inbound-journal.ts). */
  inbound: InboundSettlement;
  /** Worker/all: subscribe to commands, restore the runnable instances, keep syncing. API: subscribe to replies. */
  start(): Promise<void>;
  /** Closes every socket WITHOUT logging out and releases the leases (other nodes take over). Safe twice. */
  close(): Promise<void>;
  /** Deletes what an instance keeps in Redis (auth state, inbound journal); for DELETE, after the row is gone. */
  purgeAuth(instanceId: string): Promise<void>;
}

let signalConsoleRouted = false;

/**
 * The engine of this node. ROLE=worker/all run sockets: a SessionSupervisor owns instances through Redis leases.
 * ROLE=api runs none: its EngineControl sends every command over the Redis command bus to the owning node (or,
 * for an instance nobody runs, to any node that runs sockets, which adopts it). Either way the services get one
 * EngineControl.
 */
export function createEngine(inputs: EngineInputs): Engine {
  const { config, redis, logger, registry } = inputs;
  trustRootKey(config.waTrustRootKey); // no-op unless WA_TRUST_ROOT_KEY is set (simulator)
  shareAsyncLocalStorage(); // one AsyncLocalStorage for every socket's (process-global; see the file)
  rememberVerifiedSignatures(); // the Noise certificate chain is verified once, not at every handshake (see the file)
  cacheAgreementKeys(); // X25519 keys parsed once per handshake, the server's static key once (see the file)
  if (!signalConsoleRouted) {
    routeSignalConsole(logger); // libsignal's console chatter → debug (process-global)
    signalConsoleRouted = true;
  }
  const log = logger.child({ component: 'engine' });
  const metrics = new EngineMetrics({ registry, nodeId: config.nodeId });
  const journal = new InboundJournal({ redis, keyPrefix: config.redisPrefix, encryptionKey: config.encryptionKey, logger: log });
  const purgeAuth = async (instanceId: string): Promise<void> => {
    await clearInstanceAuth({ redis, keyPrefix: config.redisPrefix, encryptionKey: config.encryptionKey, instanceId });
    await journal.clear(instanceId);
  };

  if (config.role === 'api') {
    const remote = new RemoteEngine({ nodeId: config.nodeId, redis, keyPrefix: config.redisPrefix, logger: log });
    return {
      supervisor: null,
      control: new EngineControl(remote),
      metrics,
      inbound: journal,
      start: () => remote.start(),
      close: () => remote.close(),
      purgeAuth,
    };
  }

  const createRuntime = createRuntimeFactory({
    redis,
    keyPrefix: config.redisPrefix,
    encryptionKey: config.encryptionKey,
    logger: log,
    journal,
    waWebSocketUrl: config.waWsUrl,
    qrTtlMs: config.qrTtlMs,
    qrMaxAttempts: config.qrMaxAttempts,
    backoff: { baseMs: config.reconnectBaseMs, capMs: config.reconnectMaxMs },
    maxFailuresBeforeDisconnected: config.reconnectMaxAttempts,
    ...inputs.runtimeOverrides,
  });
  const supervisor = new SessionSupervisor({
    nodeId: config.nodeId,
    redis,
    keyPrefix: config.redisPrefix,
    logger: log,
    metrics,
    createRuntime,
    directory: inputs.directory,
    sink: inputs.sink,
    leaseTtlMs: config.leaseTtlMs,
    livenessTtlMs: config.nodeLivenessTtlMs,
    restoreConcurrency: config.restoreConcurrency,
    ...inputs.supervisorOverrides,
  });
  return {
    supervisor,
    control: new EngineControl(supervisor),
    metrics,
    inbound: journal,
    start: async () => {
      try {
        await supervisor.start();
      } catch (err) {
        if (err instanceof NodeIdentityInUseError) throw new StartupError(err.message);
        throw err;
      }
    },
    close: () => supervisor.close(),
    purgeAuth,
  };
}

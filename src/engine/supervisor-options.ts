import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { EngineMetrics } from './engine-metrics.js';
import type { EngineEventSink, InstanceDirectory } from './engine-types.js';
import type { SupervisedRuntime } from './supervised-runtime.js';

export interface SessionSupervisorOptions {
  /** NODE_ID: unique per process. */
  nodeId: string;
  redis: Redis;
  keyPrefix: string;
  logger: Logger;
  directory: InstanceDirectory;
  sink: EngineEventSink;
  /** Builds the runtime of one instance (see createRuntimeFactory). */
  createRuntime: (instanceId: string) => SupervisedRuntime;
  metrics?: EngineMetrics;
  /** LEASE_TTL_MS (default 30 s). */
  leaseTtlMs?: number;
  /** RESTORE_CONCURRENCY: sockets being brought up at once (default 10). */
  restoreConcurrency?: number;
  /** Random delay up to this before each start, to spread a restore (default 500 ms). */
  restoreJitterMs?: number;
  /** How often to look for instances nobody runs (default ttl/2). */
  syncIntervalMs?: number;
  /** How long a start holds its concurrency slot while waiting for a status (default 15 s). */
  startSettleMs?: number;
  /**
   * An instance adopted, commanded or reporting within this window is not dropped for being
   * absent from listRunnable (the services layer may not have stored its new status yet).
   * Default max(2 × syncIntervalMs, 10 s).
   */
  releaseGraceMs?: number;
  /** How long a command may take end to end, including waiting for a dead owner's lease (default ttl + 15 s). */
  commandTimeoutMs?: number;
}

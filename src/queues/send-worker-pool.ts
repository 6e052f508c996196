import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { QueueNaming } from './queue-naming.js';
import { createSendProcessor } from './send-processor.js';
import type { MessageSender, SendStatusSink } from './send-ports.js';
import type { SendQueue } from './send-queue.js';

export interface SendWorkerPoolOptions {
  /** Shared with the SendQueue is fine (`maxRetriesPerRequest: null`); each worker opens its own blocking connection. */
  connection: Redis;
  naming: QueueNaming;
  /** Its settings (rate limit, waits, attempts) apply to the workers too. */
  queue: SendQueue;
  sender: MessageSender;
  sink: SendStatusSink;
  logger: Logger;
  /** How long a job's lock lasts without renewal before the job counts as stalled (BullMQ lockDuration). */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs of a crashed worker and put them back (BullMQ stalledInterval). */
  stalledIntervalMs?: number;
  /** Random source for backoff jitter (tests). */
  random?: () => number;
}

/** No pacing still needs a limiter: BullMQ's manual rate limit (used to hold a queue back) only works with one. */
const UNPACED = { max: 1_000_000, duration: 1000 };

/**
 * Send workers, one per instance this node owns: concurrency 1 (order), the instance's rate limit (BullMQ limiter
 * on its own queue), different instances in parallel. start/stop follow instance ownership.
 */
export class SendWorkerPool {
  private readonly workers = new Map<string, Worker>();
  private readonly stopping = new Map<string, Promise<void>>();
  private closed = false;

  constructor(private readonly options: SendWorkerPoolOptions) {}

  /** Starts the instance's worker (no-op when running). */
  async start(instanceId: string): Promise<void> {
    if (this.closed) throw new Error('SendWorkerPool is closed');
    await this.stopping.get(instanceId);
    if (this.workers.has(instanceId)) return;
    const { settings } = this.options.queue;
    const logger = this.options.logger.child({ instanceId, component: 'send-worker' });
    const processor = createSendProcessor({
      instanceId,
      queue: this.options.queue.queueFor(instanceId),
      sender: this.options.sender,
      sink: this.options.sink,
      settings,
      logger,
      random: this.options.random,
    });
    const worker = new Worker(this.options.naming.send(instanceId), processor, {
      connection: this.options.connection,
      prefix: this.options.naming.bullPrefix,
      concurrency: 1,
      limiter: settings.rateLimit ? { max: settings.rateLimit.max, duration: settings.rateLimit.durationMs } : UNPACED,
      lockDuration: this.options.lockDurationMs ?? 30_000,
      stalledInterval: this.options.stalledIntervalMs ?? 30_000,
      maxStalledCount: 3,
      autorun: false,
    });
    worker.on('error', (err) => logger.error({ err }, 'send worker error'));
    this.workers.set(instanceId, worker);
    void worker.run().catch((err: unknown) => logger.error({ err }, 'send worker stopped with an error'));
    await worker.waitUntilReady();
    logger.info('send worker started');
  }

  /**
   * Stops the instance's worker after its current job (no-op when not running). With `force` it does not wait: a
   * job in flight is abandoned and, its lock expiring, taken again by the next owner (it keeps its waMessageId).
   */
  async stop(instanceId: string, options: { force?: boolean } = {}): Promise<void> {
    const worker = this.workers.get(instanceId);
    if (!worker) return this.stopping.get(instanceId);
    this.workers.delete(instanceId);
    const done = worker
      .close(options.force ?? false)
      .catch((err: unknown) => this.options.logger.warn({ err, instanceId }, 'closing a send worker failed'))
      .finally(() => this.stopping.delete(instanceId));
    this.stopping.set(instanceId, done);
    await done;
    this.options.logger.info({ instanceId }, 'send worker stopped');
  }

  isRunning(instanceId: string): boolean {
    return this.workers.has(instanceId);
  }

  /** Instances with a running worker. */
  running(): string[] {
    return [...this.workers.keys()];
  }

  /** Stops every worker (see stop for `force`); safe to call twice. */
  async close(options: { force?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.workers.keys()].map((id) => this.stop(id, options)));
    await Promise.all([...this.stopping.values()]);
  }
}

import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { QueueNaming } from './queue-naming.js';
import { createSendProcessor, type SendProcessor } from './send-processor.js';
import type { MessageSender, SendStatusSink } from './send-ports.js';
import type { SendQueue } from './send-queue.js';

export interface SendWorkerPoolOptions {
  /** Shared with the SendQueue is fine (`maxRetriesPerRequest: null`); each lane Worker opens its own blocking connection. */
  connection: Redis;
  naming: QueueNaming;
  /** Its settings (lanes, rate limit, waits, attempts) apply to the workers too. */
  queue: SendQueue;
  sender: MessageSender;
  sink: SendStatusSink;
  logger: Logger;
  /** How long a job's lock lasts without renewal before the job counts as stalled (BullMQ lockDuration). */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs of a crashed worker and put them back (BullMQ stalledInterval). */
  stalledIntervalMs?: number;
  /**
   * Whether the instance's socket runs on this node now (the engine supervisor). A served instance whose socket is
   * elsewhere is left to that node, so two nodes never send for one instance at once. Default: always.
   */
  isLocal?: (instanceId: string) => boolean;
  /** How often the set of paused instances is read again (ms). */
  pausedRefreshMs?: number;
  /** Random source for backoff jitter (tests). */
  random?: () => number;
}

/**
 * The send workers of this node: one BullMQ Worker per lane (`settings.lanes` of them, so the number of Redis
 * connections does not grow with the instances), each taking jobs of many instances at once. The instances this
 * node sends for are `start`ed (it owns them); jobs of other instances are parked for their owner. Order and pacing
 * per instance: see send-processor.ts and instance-gate.ts.
 *
 * Jobs are fetched by hand (BullMQ's manual processing: `getNextJob`, then `moveToCompleted` / `moveToFailed`), one
 * fetch at a time, so the processor sees each lane's jobs exactly in queue order and gives each instance's jobs
 * their tickets in that order. (BullMQ's own loop fetches concurrently and hands jobs over in completion order.)
 * Locks of jobs in flight are extended every lockDuration/2; the Worker's stalled checker puts back the jobs of a
 * node that died.
 */
export class SendWorkerPool {
  private readonly served = new Set<string>();
  private readonly workers: Worker[] = [];
  private paused = new Set<string>();
  private pausedTimer: NodeJS.Timeout | null = null;
  private starting: Promise<void> | null = null;
  private readonly loops: Promise<void>[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly heldByLane = new Map<string, Map<string, { job: Job; token: string }>>();
  private processor: SendProcessor | null = null;
  private readonly lockTimers: NodeJS.Timeout[] = [];
  private closed = false;
  /** Instances whose pending jobs are being failed (withholding), with how many callers hold them back. */
  private readonly withheld = new Map<string, number>();

  constructor(private readonly options: SendWorkerPoolOptions) {}

  /** Sends for the instance from now on (starts the lane workers the first time). */
  async start(instanceId: string): Promise<void> {
    if (this.closed) throw new Error('SendWorkerPool is closed');
    this.served.add(instanceId);
    await this.startLanes();
  }

  /**
   * Stops sending for the instance: its jobs wait for the next owner. A send in flight finishes (with `force` too:
   * the lane workers stay up for the other instances).
   */
  async stop(instanceId: string, _options: { force?: boolean } = {}): Promise<void> {
    this.served.delete(instanceId);
    this.processor?.wake(instanceId);
  }

  /**
   * While `fn` runs (failing the instance's pending jobs), this node sends none of them: a job waiting here for its
   * turn parks at once, so that `fn` finds it in the delayed set instead of held by a worker.
   */
  async withholding<T>(instanceId: string, fn: () => Promise<T>): Promise<T> {
    this.withheld.set(instanceId, (this.withheld.get(instanceId) ?? 0) + 1);
    this.processor?.wake(instanceId);
    try {
      return await fn();
    } finally {
      const left = (this.withheld.get(instanceId) ?? 1) - 1;
      if (left > 0) this.withheld.set(instanceId, left);
      else this.withheld.delete(instanceId);
    }
  }

  isRunning(instanceId: string): boolean {
    return this.served.has(instanceId);
  }

  /** Instances this node sends for. */
  running(): string[] {
    return [...this.served];
  }

  /** Stops the lane workers (after their jobs in flight, unless `force`); safe to call twice. */
  async close(options: { force?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pausedTimer) clearInterval(this.pausedTimer);
    this.pausedTimer = null;
    await this.starting?.catch(() => undefined);
    this.served.clear();
    this.processor?.wakeAll(); // jobs waiting for their turn park at once
    // Jobs in flight finish first (their completion needs the workers' connections), unless forced.
    if (!options.force) await Promise.all([...this.inFlight]);
    for (const timer of this.lockTimers) clearInterval(timer);
    await Promise.all(
      this.workers.map((worker) =>
        worker.close(true).catch((err: unknown) => this.options.logger.warn({ err, queue: worker.name }, 'closing a send worker failed')),
      ),
    );
    await Promise.all(this.loops);
  }

  /**
   * One lane: fetch a job (blocking while the lane is empty), hand it to the processor without waiting, fetch the
   * next while the lane holds fewer than `concurrency` jobs (sending, or waiting in the process for their instance's
   * turn); finish each job in BullMQ when its processor settles.
   */
  private async runLane(worker: Worker, processor: SendProcessor, concurrency: number, lockDuration: number, logger: Logger): Promise<void> {
    const inFlight = this.held(worker.name);
    let slotFreed: (() => void) | null = null;
    const lockTimer = setInterval(() => {
      const jobs = [...inFlight.values()];
      if (jobs.length === 0) return;
      void worker
        .extendJobLocks(
          jobs.map((j) => j.job.id!),
          jobs.map((j) => j.token),
          lockDuration,
        )
        .catch((err: unknown) => logger.warn({ err }, 'extending send job locks failed'));
    }, Math.max(50, Math.floor(lockDuration / 2)));
    lockTimer.unref?.();
    this.lockTimers.push(lockTimer);
    let serial = 0;
    const finish = async (job: Job, token: string, run: Promise<{ waMessageId: string }>): Promise<void> => {
      try {
        const result = await run;
        await job.moveToCompleted(result, token, false);
      } catch (err) {
        if (err instanceof DelayedError) return; // parked: moved to delayed by the processor
        if (this.closed && !(err instanceof UnrecoverableError)) return; // shutting down: the lock expires, the job is taken again
        await job.moveToFailed(err instanceof Error ? err : new Error(String(err)), token, false);
      }
    };
    while (!this.closed) {
      if (inFlight.size >= concurrency) {
        await new Promise<void>((resolve) => (slotFreed = resolve));
        continue;
      }
      const token = `${worker.id}:${serial++}`;
      let job: Job | undefined;
      try {
        job = await worker.getNextJob(token, { block: true });
      } catch (err) {
        if (this.closed) break;
        logger.warn({ err }, 'fetching a send job failed');
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      if (!job?.id) continue;
      const key = `${job.id}:${token}`;
      // The processor's synchronous start (ticket in queue order) runs here, before the next fetch.
      const done = finish(job, token, processor(job, token))
        .catch((err: unknown) => logger.warn({ err, jobId: job.id }, 'finishing a send job failed'))
        .finally(() => {
          inFlight.delete(key);
          this.inFlight.delete(done);
          const wake = slotFreed;
          slotFreed = null;
          wake?.();
        });
      inFlight.set(key, { job, token });
      this.inFlight.add(done);
    }
  }

  /** The jobs a lane holds (in flight or waiting in the process for their instance's turn), by `<jobId>:<token>`. */
  private held(lane: string): Map<string, { job: Job; token: string }> {
    let jobs = this.heldByLane.get(lane);
    if (!jobs) {
      jobs = new Map();
      this.heldByLane.set(lane, jobs);
    }
    return jobs;
  }

  private serves(instanceId: string): boolean {
    return this.served.has(instanceId) && !this.paused.has(instanceId) && !this.withheld.has(instanceId) && (this.options.isLocal?.(instanceId) ?? true);
  }

  private async refreshPaused(): Promise<void> {
    try {
      const paused = new Set(await this.options.connection.smembers(this.options.naming.pausedKey()));
      for (const instanceId of paused) if (!this.paused.has(instanceId)) this.processor?.wake(instanceId);
      this.paused = paused;
    } catch (err) {
      this.options.logger.warn({ err }, 'reading paused instances failed');
    }
  }

  private startLanes(): Promise<void> {
    this.starting ??= (async () => {
      const { settings } = this.options.queue;
      await this.refreshPaused();
      this.pausedTimer = setInterval(() => void this.refreshPaused(), this.options.pausedRefreshMs ?? 1000);
      this.pausedTimer.unref?.();
      const processor = createSendProcessor({
        sender: this.options.sender,
        sink: this.options.sink,
        settings,
        logger: this.options.logger.child({ component: 'send-worker' }),
        serves: (instanceId) => this.serves(instanceId),
        random: this.options.random,
        foreignParkMs: Math.min(1000, settings.notConnectedRecheckMs),
        crowded: (lane) => this.held(lane).size >= settings.laneConcurrency / 2,
      });
      this.processor = processor;
      for (let lane = 0; lane < settings.lanes; lane += 1) {
        const name = this.options.naming.sendLane(lane);
        const logger = this.options.logger.child({ component: 'send-worker', lane: name });
        const lockDuration = this.options.lockDurationMs ?? 30_000;
        const worker = new Worker(name, null, {
          connection: this.options.connection,
          prefix: this.options.naming.bullPrefix,
          lockDuration,
          stalledInterval: this.options.stalledIntervalMs ?? 30_000,
          maxStalledCount: 3,
          autorun: false,
        });
        worker.on('error', (err) => logger.error({ err }, 'send worker error'));
        this.workers.push(worker);
        await worker.waitUntilReady();
        void worker.startStalledCheckTimer().catch((err: unknown) => logger.error({ err }, 'stalled check failed'));
        this.loops.push(this.runLane(worker, processor, settings.laneConcurrency, lockDuration, logger));
      }
      this.options.logger.info({ lanes: settings.lanes, concurrency: settings.laneConcurrency }, 'send lanes started');
    })();
    return this.starting;
  }
}

import { Queue, type Job, type JobsOptions, type JobType } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { parseJobData, type SendJobData, type SendJobPayload } from './job-payloads.js';
import type { QueueNaming } from './queue-naming.js';
import type { SendFailureReason, SendStatusSink } from './send-ports.js';
import { sendSettingsSchema, type SendSettings, type SendSettingsInput } from './send-settings.js';

export interface SendQueueOptions {
  /** A Redis connection for BullMQ (`maxRetriesPerRequest: null`, see createQueueConnection). Not closed by close(). */
  connection: Redis;
  naming: QueueNaming;
  sink: SendStatusSink;
  logger: Logger;
  settings?: SendSettingsInput;
}

/** A send job as `add` and `addBulk` take it. */
interface SendJob {
  name: 'send-message';
  data: SendJobData;
  opts: JobsOptions;
}

/** Job states that have not started: failPending takes these. */
const PENDING_STATES: JobType[] = ['wait', 'delayed', 'prioritized'];

/**
 * The producer side of the send pipeline, plus its administration: enqueue, fail pending jobs, pause and resume one
 * instance. Jobs go to the instance's lane (`send.s<k>`, see QueueNaming.laneOf); the lanes' queues are created on
 * first use.
 */
export class SendQueue {
  readonly settings: SendSettings;
  private readonly queues = new Map<string, Queue>();
  private closed = false;

  constructor(private readonly options: SendQueueOptions) {
    this.settings = sendSettingsSchema.parse(options.settings ?? {});
  }

  /** The BullMQ queue (lane) that carries an instance's jobs. */
  queueFor(instanceId: string): Queue {
    return this.lane(this.options.naming.sendQueueOf(instanceId, this.settings.lanes));
  }

  private lane(name: string): Queue {
    if (this.closed) throw new Error('SendQueue is closed');
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.options.connection, prefix: this.options.naming.bullPrefix });
      queue.on('error', (err) => this.options.logger.error({ err, queue: name }, 'send queue error'));
      this.queues.set(name, queue);
    }
    return queue;
  }

  /**
   * Adds a message to its instance's lane. The job id is the message id: enqueueing the same message again while
   * its job exists (pending, or finished within keepCompleted/keepFailed) is a no-op. Throws InvalidJobPayloadError.
   */
  async enqueueSend(input: SendJobPayload): Promise<{ jobId: string }> {
    const { queue, job } = this.sendJob(input);
    const added = await queue.add(job.name, job.data, job.opts);
    return { jobId: added.id ?? job.data.messageId };
  }

  /**
   * enqueueSend for many messages: one addBulk per lane, the jobs of each lane in the given order (an instance's
   * messages keep their order). Same job ids and options as enqueueSend, so a message enqueued again is still a
   * no-op. Throws InvalidJobPayloadError before adding anything if any payload is invalid.
   */
  async enqueueSends(inputs: readonly SendJobPayload[]): Promise<void> {
    const byLane = new Map<Queue, SendJob[]>();
    for (const input of inputs) {
      const { queue, job } = this.sendJob(input);
      let jobs = byLane.get(queue);
      if (!jobs) byLane.set(queue, (jobs = []));
      jobs.push(job);
    }
    await Promise.all([...byLane].map(([queue, jobs]) => queue.addBulk(jobs)));
  }

  /**
   * The job of a send (its payload validated) and its instance's lane. The job id is the message id. Retries of
   * transient errors are done by the worker in place (to keep order); BullMQ attempts only cover failures of our
   * own bookkeeping (the status sink), which are rare.
   */
  private sendJob(input: SendJobPayload): { queue: Queue; job: SendJob } {
    const data = { ...parseJobData('send-message', input), failures: 0 };
    const opts: JobsOptions = {
      jobId: data.messageId,
      attempts: 3,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: this.settings.keepCompletedSeconds },
      removeOnFail: { age: this.settings.keepFailedSeconds },
    };
    return { queue: this.queueFor(data.instanceId), job: { name: 'send-message', data, opts } };
  }

  /** The instance's jobs in `states` (a scan of its lane, for administration, not for the hot path). */
  private async jobsOf(instanceId: string, states: JobType[]): Promise<Job[]> {
    const queue = this.queueFor(instanceId);
    const found: Job[] = [];
    const page = 500;
    for (let start = 0; ; start += page) {
      const jobs = await queue.getJobs(states, start, start + page - 1, true);
      for (const job of jobs) if (job?.id && (job.data as { instanceId?: unknown } | null)?.instanceId === instanceId) found.push(job);
      if (jobs.length < page) break;
    }
    return found;
  }

  /**
   * Fails every job of the instance that has not started (disconnect, delete): removes it, then records the failure.
   * A job a worker holds meanwhile is left to the worker. Returns how many were failed.
   */
  async failPending(instanceId: string, reason: SendFailureReason): Promise<number> {
    let failed = 0;
    // A waiting job cycles between delayed and a worker's brief look at it (parked): one it holds right now is
    // tried again a few times before it is left to the worker.
    for (let round = 0; round < 10; round += 1) {
      let locked = 0;
      for (const job of await this.jobsOf(instanceId, PENDING_STATES)) {
        try {
          await job.remove();
        } catch {
          locked += 1; // a worker holds it
          continue;
        }
        failed += 1;
        await this.options.sink.onFailed({ instanceId, messageId: job.id! }, { reason, message: `pending message failed: ${reason}` });
      }
      // A job a worker held may have parked meanwhile (pending again, after this round's scan): done only when
      // none is pending or held.
      if (locked === 0 && (await this.jobsOf(instanceId, [...PENDING_STATES, 'active'])).length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (failed > 0) this.options.logger.info({ instanceId, reason, failed }, 'pending messages failed');
    return failed;
  }

  /** Stops the instance's sends (durable, for every node: their workers read the set every second) until resume(). */
  async pause(instanceId: string): Promise<void> {
    await this.options.connection.sadd(this.options.naming.pausedKey(), instanceId);
  }

  async resume(instanceId: string): Promise<void> {
    await this.options.connection.srem(this.options.naming.pausedKey(), instanceId);
  }

  async isPaused(instanceId: string): Promise<boolean> {
    return (await this.options.connection.sismember(this.options.naming.pausedKey(), instanceId)) === 1;
  }

  /** Job counts by state for the instance. */
  async counts(instanceId: string): Promise<Record<string, number>> {
    const states: JobType[] = ['wait', 'active', 'delayed', 'prioritized', 'completed', 'failed'];
    const counts: Record<string, number> = Object.fromEntries(states.map((s) => [s, 0]));
    for (const state of states) counts[state] = (await this.jobsOf(instanceId, [state])).length;
    return counts;
  }

  /** Removes the instance's pending jobs and its pause mark (after failPending, when the instance is deleted). */
  async removeInstance(instanceId: string): Promise<void> {
    for (const job of await this.jobsOf(instanceId, PENDING_STATES)) await job.remove().catch(() => undefined);
    await this.resume(instanceId);
  }

  /** Closes every queue; safe to call twice. The Redis connection belongs to the caller. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const queues = [...this.queues.entries()];
    this.queues.clear();
    for (const [name, queue] of queues) {
      try {
        await queue.close();
      } catch (err) {
        this.options.logger.warn({ err, queue: name }, 'closing a send queue failed');
      }
    }
  }
}

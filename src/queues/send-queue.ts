import { Queue, type JobType } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { parseJobData, type SendJobPayload } from './job-payloads.js';
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

/** Job states that have not started: failPending takes these. */
const PENDING_STATES: JobType[] = ['wait', 'delayed', 'prioritized'];

/**
 * The producer side of the per-instance send pipeline, plus its administration: enqueue, fail pending jobs,
 * pause and resume one instance. One BullMQ queue per instance (`send.<instanceId>`), created on first use.
 */
export class SendQueue {
  readonly settings: SendSettings;
  private readonly queues = new Map<string, Queue>();
  private closed = false;

  constructor(private readonly options: SendQueueOptions) {
    this.settings = sendSettingsSchema.parse(options.settings ?? {});
  }

  /** The BullMQ queue of an instance (created on first use). */
  queueFor(instanceId: string): Queue {
    if (this.closed) throw new Error('SendQueue is closed');
    let queue = this.queues.get(instanceId);
    if (!queue) {
      queue = new Queue(this.options.naming.send(instanceId), {
        connection: this.options.connection,
        prefix: this.options.naming.bullPrefix,
      });
      queue.on('error', (err) => this.options.logger.error({ err, instanceId }, 'send queue error'));
      this.queues.set(instanceId, queue);
    }
    return queue;
  }

  /**
   * Adds a message to its instance's queue. The job id is the message id: enqueueing the same message again while
   * its job exists (pending, or finished within keepCompleted/keepFailed) is a no-op. Throws InvalidJobPayloadError.
   */
  async enqueueSend(input: SendJobPayload): Promise<{ jobId: string }> {
    const payload = { ...parseJobData('send-message', input), failures: 0 };
    const job = await this.queueFor(payload.instanceId).add('send-message', payload, {
      jobId: payload.messageId,
      // Retries of transient errors are done by the worker in place (to keep order); BullMQ attempts only cover
      // failures of our own bookkeeping (the status sink), which are rare.
      attempts: 3,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: this.settings.keepCompletedSeconds },
      removeOnFail: { age: this.settings.keepFailedSeconds },
    });
    return { jobId: job.id ?? payload.messageId };
  }

  /**
   * Fails every job of the instance that has not started (disconnect, delete): removes it, then records the failure.
   * A job a worker picks first is left to the worker. Returns how many were failed.
   */
  async failPending(instanceId: string, reason: SendFailureReason): Promise<number> {
    const queue = this.queueFor(instanceId);
    let failed = 0;
    for (;;) {
      const jobs = await queue.getJobs(PENDING_STATES, 0, 199, true);
      if (jobs.length === 0) break;
      let removedInPage = 0;
      for (const job of jobs) {
        if (!job?.id) continue;
        try {
          await job.remove();
        } catch {
          continue; // locked: a worker took it meanwhile
        }
        removedInPage += 1;
        failed += 1;
        await this.options.sink.onFailed({ instanceId, messageId: job.id }, { reason, message: `pending message failed: ${reason}` });
      }
      if (removedInPage === 0) break;
    }
    if (failed > 0) this.options.logger.info({ instanceId, reason, failed }, 'pending messages failed');
    return failed;
  }

  /** Stops the instance's queue from handing out jobs (durable, for every node) until resume(). */
  async pause(instanceId: string): Promise<void> {
    await this.queueFor(instanceId).pause();
  }

  async resume(instanceId: string): Promise<void> {
    await this.queueFor(instanceId).resume();
  }

  async isPaused(instanceId: string): Promise<boolean> {
    return this.queueFor(instanceId).isPaused();
  }

  /** Job counts by state for the instance. */
  async counts(instanceId: string): Promise<Record<string, number>> {
    return this.queueFor(instanceId).getJobCounts('wait', 'active', 'delayed', 'prioritized', 'completed', 'failed');
  }

  /** Removes the instance's queue and every job in it (after failPending, when the instance is deleted). */
  async removeInstance(instanceId: string): Promise<void> {
    const queue = this.queueFor(instanceId);
    await queue.obliterate({ force: true });
    this.queues.delete(instanceId);
    await queue.close();
  }

  /** Closes every queue; safe to call twice. The Redis connection belongs to the caller. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const queues = [...this.queues.entries()];
    this.queues.clear();
    for (const [instanceId, queue] of queues) {
      try {
        await queue.close();
      } catch (err) {
        this.options.logger.warn({ err, instanceId }, 'closing a send queue failed');
      }
    }
  }
}

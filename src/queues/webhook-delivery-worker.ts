import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { InvalidJobPayloadError, parseJobData, type WebhookDeliveryJob } from './job-payloads.js';
import type { QueueNaming } from './queue-naming.js';
import type { WebhookDeliveryHandler } from './webhook-delivery-queue.js';

export interface WebhookDeliveryWorkerOptions {
  connection: Redis;
  naming: QueueNaming;
  handler: WebhookDeliveryHandler;
  logger: Logger;
  /** Deliveries in flight at once on this node (default 20). */
  concurrency?: number;
}

/** Runs webhook deliveries from the shared queue. */
export class WebhookDeliveryWorker {
  private readonly worker: Worker;
  private closed = false;

  constructor(private readonly options: WebhookDeliveryWorkerOptions) {
    const log = options.logger.child({ component: 'webhook-worker' });
    this.worker = new Worker(
      options.naming.webhooks(),
      async (job: Job, token?: string) => {
        let data: WebhookDeliveryJob;
        try {
          data = parseJobData('webhook-delivery', job.data);
        } catch (err) {
          log.error({ jobId: job.id, err }, 'invalid webhook job');
          throw new UnrecoverableError(err instanceof InvalidJobPayloadError ? err.message : String(err));
        }
        const { retryAt } = await options.handler.deliver(data);
        if (retryAt !== null) {
          await job.moveToDelayed(retryAt, token);
          throw new DelayedError();
        }
      },
      { connection: options.connection, prefix: options.naming.bullPrefix, concurrency: options.concurrency ?? 20, autorun: false },
    );
    this.worker.on('error', (err) => log.error({ err }, 'webhook worker error'));
    this.worker.on('failed', (job, err) => log.warn({ jobId: job?.id, err: err.message }, 'webhook job failed'));
  }

  async start(): Promise<void> {
    if (this.closed) throw new Error('WebhookDeliveryWorker is closed');
    void this.worker.run().catch((err: unknown) => this.options.logger.error({ err }, 'webhook worker stopped with an error'));
    await this.worker.waitUntilReady();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.worker.close();
    } catch (err) {
      this.options.logger.warn({ err }, 'closing the webhook worker failed');
    }
  }
}

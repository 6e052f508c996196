import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { parseJobData, type WebhookDeliveryJob } from './job-payloads.js';
import type { QueueNaming } from './queue-naming.js';

/** Attempts one delivery (implemented by services/webhooks). `retryAt` (epoch ms) schedules the next attempt. */
export interface WebhookDeliveryHandler {
  deliver(job: WebhookDeliveryJob): Promise<{ retryAt: number | null }>;
}

export interface WebhookDeliveryQueueOptions {
  connection: Redis;
  naming: QueueNaming;
  logger: Logger;
  keepCompletedSeconds?: number;
  keepFailedSeconds?: number;
}

/**
 * Producer of webhook deliveries: one job per delivery row (job id = delivery id, so enqueueing twice is a
 * no-op). Retries are scheduled by the worker as delayed jobs, so they survive restarts.
 */
export class WebhookDeliveryQueue {
  readonly queue: Queue;
  private closed = false;

  constructor(private readonly options: WebhookDeliveryQueueOptions) {
    this.queue = new Queue(options.naming.webhooks(), { connection: options.connection, prefix: options.naming.bullPrefix });
    this.queue.on('error', (err) => options.logger.error({ err }, 'webhook queue error'));
  }

  /** Queues a delivery (no-op when its job already exists). Throws InvalidJobPayloadError. */
  async enqueue(input: WebhookDeliveryJob, options: { delayMs?: number } = {}): Promise<void> {
    const data = parseJobData('webhook-delivery', input);
    await this.queue.add('webhook-delivery', data, {
      jobId: data.deliveryId,
      delay: options.delayMs,
      // The handler records attempts and schedules retries itself; BullMQ attempts only cover handler crashes
      // (database or Redis down), with their own backoff.
      attempts: 20,
      backoff: { type: 'exponential', delay: 5000 },
      removeOnComplete: { age: this.options.keepCompletedSeconds ?? 24 * 3600 },
      removeOnFail: { age: this.options.keepFailedSeconds ?? 7 * 24 * 3600 },
    });
  }

  /** Queues a delivery again (after the store reset it to pending), replacing a finished job. False while it runs. */
  async redeliver(input: WebhookDeliveryJob): Promise<boolean> {
    const existing = await this.queue.getJob(input.deliveryId);
    if (existing) {
      const state = await existing.getState();
      if (state === 'active') return false;
      await existing.remove();
    }
    await this.enqueue(input);
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.queue.close();
    } catch (err) {
      this.options.logger.warn({ err }, 'closing the webhook queue failed');
    }
  }
}

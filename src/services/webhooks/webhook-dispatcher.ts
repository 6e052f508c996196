import type { Logger } from 'pino';
import type { HostLookup } from '../../net/url-guard.js';
import type { WebhookDeliveryJob } from '../../queues/job-payloads.js';
import type { WebhookDeliveryHandler } from '../../queues/webhook-delivery-queue.js';
import { decideRetry, type RetryPolicy } from './retry-policy.js';
import { attemptWebhook } from './webhook-sender.js';

export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** A delivery as the store holds it (outbox row): what to send where, and how many attempts were made. */
export interface WebhookDeliveryRecord {
  deliveryId: string;
  instanceId: string;
  url: string;
  secret: string;
  /** The envelope's id (X-Webhook-Id). */
  eventId: string;
  /** The serialized envelope, sent and signed byte for byte. */
  body: string;
  attempts: number;
  status: WebhookDeliveryStatus;
}

export interface WebhookAttemptRecord {
  attempt: number;
  at: Date;
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
  durationMs: number;
  /** The delivery's status after this attempt (`failed` = dead letter, kept). */
  status: WebhookDeliveryStatus;
  nextAttemptAt: Date | null;
}

/** The delivery log (persistence implements it over the outbox table). */
export interface WebhookDeliveryStore {
  /** Null when the delivery no longer exists (instance deleted). */
  load(deliveryId: string): Promise<WebhookDeliveryRecord | null>;
  recordAttempt(deliveryId: string, attempt: WebhookAttemptRecord): Promise<void>;
}

export interface WebhookDispatcherOptions {
  store: WebhookDeliveryStore;
  policy: RetryPolicy;
  logger: Logger;
  /** WEBHOOK_ALLOW_PRIVATE_URLS. */
  allowPrivate?: boolean;
  timeoutMs?: number;
  maxResponseBytes?: number;
  lookup?: HostLookup;
  now?: () => number;
  random?: () => number;
}

function giveUpMessage(reason: 'non_retryable' | 'attempts_exhausted', statusCode: number | null): string {
  return reason === 'non_retryable' ? `status ${statusCode ?? '?'} is not retried` : 'no attempts left';
}

/** Attempts a stored delivery, logs the attempt, and tells the queue when to try again (the WebhookDeliveryHandler port). */
export class WebhookDispatcher implements WebhookDeliveryHandler {
  constructor(private readonly options: WebhookDispatcherOptions) {}

  async deliver(job: WebhookDeliveryJob): Promise<{ retryAt: number | null }> {
    const { store, policy } = this.options;
    const now = this.options.now ?? Date.now;
    const log = this.options.logger.child({ instanceId: job.instanceId, deliveryId: job.deliveryId });
    const delivery = await store.load(job.deliveryId);
    if (!delivery || delivery.status !== 'pending') {
      log.debug({ status: delivery?.status ?? 'missing' }, 'nothing to deliver');
      return { retryAt: null };
    }
    const attempt = delivery.attempts + 1;
    const started = now();
    const result = await attemptWebhook({
      url: delivery.url,
      secret: delivery.secret,
      eventId: delivery.eventId,
      body: delivery.body,
      timeoutMs: this.options.timeoutMs ?? 10_000,
      maxResponseBytes: this.options.maxResponseBytes ?? 64 * 1024,
      allowPrivate: this.options.allowPrivate,
      lookup: this.options.lookup,
    });
    const decision = decideRetry(result.outcome, attempt, policy, { nowMs: now(), random: this.options.random });
    const retryAt = decision.action === 'retry' ? now() + decision.delayMs : null;
    const status: WebhookDeliveryStatus = decision.action === 'success' ? 'succeeded' : decision.action === 'retry' ? 'pending' : 'failed';
    await store.recordAttempt(delivery.deliveryId, {
      attempt,
      at: new Date(started),
      statusCode: result.statusCode,
      error: result.error ?? (decision.action === 'give_up' ? giveUpMessage(decision.reason, result.statusCode) : null),
      responseBody: result.responseBody,
      durationMs: result.durationMs,
      status,
      nextAttemptAt: retryAt === null ? null : new Date(retryAt),
    });
    log.info({ attempt, statusCode: result.statusCode, outcome: result.outcome.kind, status, retryAt }, 'webhook attempt');
    return { retryAt };
  }
}

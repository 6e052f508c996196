import type { Logger } from 'pino';
import { LruMap } from '../../lru-map.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { NotFoundError } from '../../errors/not-found-error.js';
import { ValidationError } from '../../errors/validation-error.js';
import type { HostLookup } from '../../net/url-guard.js';
import type { WebhookDeliveryEntity, WebhookDeliveryStatus } from '../../persistence/entities/webhook-delivery.entity.js';
import type { InstanceEntity } from '../../persistence/entities/instance.entity.js';
import type { Page } from '../../persistence/pagination.js';
import type { InstanceRepository } from '../../persistence/repositories/instance-repository.js';
import type { DeliveryAttempt, WebhookDeliveryRepository } from '../../persistence/repositories/webhook-delivery-repository.js';
import { newWebhookEventRowId } from '../../persistence/repositories/webhook-event-repository.js';
/** Delivery statuses, re-exported for the HTTP schemas (http does not import persistence). */
export { WEBHOOK_DELIVERY_STATUSES } from '../../persistence/entities/webhook-delivery.entity.js';
import type { WebhookSecretRepository } from '../../persistence/repositories/webhook-secret-repository.js';
import type { StoredEventEnvelope } from './stored-event-envelope.js';
import type { WebhookSecrets } from './webhook-secrets.js';
import { attemptWebhook } from './webhook-sender.js';

/** A row of the delivery log as the API shows it. */
export interface DeliveryView {
  id: string;
  eventId: string;
  event: string;
  url: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

/** One delivery with the history of its attempts (the last ATTEMPT_LOG_SIZE, oldest first). */
export interface DeliveryDetailView extends DeliveryView {
  attemptHistory: DeliveryAttempt[];
}

/** What the receiver answered to a test event. */
export interface WebhookTestResult {
  url: string;
  eventId: string;
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  /** The start of the receiver's answer. */
  responseBody: string | null;
}

export interface WebhooksServiceDeps {
  instances: InstanceRepository;
  deliveries: WebhookDeliveryRepository;
  secretRows: WebhookSecretRepository;
  secrets: WebhookSecrets;
  logger: Logger;
  /** Wakes the delivery runners of every node (after a redelivery). */
  notifyDue: () => void;
  timeoutMs: number;
  allowPrivate: boolean;
  lookup?: HostLookup;
}

function toView(d: WebhookDeliveryEntity): DeliveryView {
  return {
    id: d.id,
    eventId: d.eventId,
    event: d.event,
    url: d.url,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    lastAttemptAt: d.lastAttemptAt,
    nextAttemptAt: d.nextAttemptAt,
    deliveredAt: d.deliveredAt,
    createdAt: d.createdAt,
  };
}

/** Webhook use cases of one tenant: secrets, the delivery log, redelivery and the test event. */
export class WebhooksService {
  /** Opened secrets by instance id and sealed value (bounded; see openSecrets). */
  private readonly opened = new LruMap<string, string>(1024);

  constructor(private readonly deps: WebhooksServiceDeps) {}

  /** The tenant's instance, or a 404 (another tenant's instance included). */
  /** The ids of every instance of the tenant (what a tenant-wide live stream follows). */
  async instanceIdsOf(tenantId: string): Promise<string[]> {
    return (await this.deps.instances.listByTenant(tenantId)).map((i) => i.id);
  }

  async instanceOf(tenantId: string, instanceId: string): Promise<InstanceEntity> {
    const found = await this.deps.instances.findForTenant(instanceId, tenantId);
    if (!found) throw new NotFoundError('Instance not found');
    return found;
  }

  async listDeliveries(
    tenantId: string,
    instanceId: string,
    filter: { status?: WebhookDeliveryStatus; event?: string },
    page: { page?: number; pageSize?: number },
  ): Promise<Page<DeliveryView>> {
    await this.instanceOf(tenantId, instanceId);
    const result = await this.deps.deliveries.listByInstance(instanceId, filter, page);
    return { ...result, items: result.items.map(toView) };
  }

  /** One delivery of the instance with its attempt history; 404 when the instance or the delivery is not the tenant's. */
  async getDelivery(tenantId: string, instanceId: string, deliveryId: string): Promise<DeliveryDetailView> {
    await this.instanceOf(tenantId, instanceId);
    const [delivery, attemptHistory] = await Promise.all([
      this.deps.deliveries.findForInstance(instanceId, deliveryId),
      this.deps.deliveries.attemptLog(instanceId, deliveryId),
    ]);
    if (!delivery) throw new NotFoundError('Webhook delivery not found');
    return { ...toView(delivery), attemptHistory: attemptHistory ?? [] };
  }

  /** Sends a delivery again from the start (fresh attempt budget, same event id). 409 while it is being sent. */
  async redeliver(tenantId: string, instanceId: string, deliveryId: string): Promise<DeliveryView> {
    await this.instanceOf(tenantId, instanceId);
    const result = await this.deps.deliveries.resetForRedelivery(instanceId, deliveryId);
    if (result.kind === 'not_found') throw new NotFoundError('Webhook delivery not found');
    if (result.kind === 'in_flight') throw new ConflictError('The delivery is being sent right now; try again shortly', undefined, 'DELIVERY_IN_FLIGHT');
    this.deps.notifyDue();
    this.deps.logger.info({ instanceId, deliveryId }, 'webhook redelivery requested');
    return toView(result.delivery);
  }

  /** A new secret for the instance; the old one stops signing at once. Returns the new one. */
  async rotateSecret(tenantId: string, instanceId: string): Promise<string> {
    await this.instanceOf(tenantId, instanceId);
    const { secret, sealed } = this.deps.secrets.create(instanceId);
    if (!(await this.deps.secretRows.replace(instanceId, tenantId, sealed))) throw new NotFoundError('Instance not found');
    this.deps.logger.info({ instanceId, tenantId }, 'webhook secret rotated');
    return secret;
  }

  /** Sends a signed `webhook.test` event to the instance's webhook URL now and reports the answer. Not recorded. */
  async sendTest(tenantId: string, instanceId: string): Promise<WebhookTestResult> {
    const instance = await this.instanceOf(tenantId, instanceId);
    if (!instance.webhookUrl) throw new ValidationError('The instance has no webhookUrl', undefined, 'WEBHOOK_URL_NOT_SET');
    const secret = (await this.plainSecrets([instanceId])).get(instanceId);
    if (!secret) throw new Error(`webhook secret of ${instanceId} is unavailable`);
    const envelope: StoredEventEnvelope = {
      id: newWebhookEventRowId(),
      event: 'webhook.test',
      timestamp: new Date().toISOString(),
      sequence: 0,
      instance: { instanceName: instance.name, instanceId },
      data: { message: 'Test event from Zap Engine' },
    };
    const result = await attemptWebhook({
      url: instance.webhookUrl,
      secret,
      eventId: envelope.id,
      body: JSON.stringify(envelope),
      timeoutMs: this.deps.timeoutMs,
      maxResponseBytes: 4096,
      allowPrivate: this.deps.allowPrivate,
      lookup: this.deps.lookup,
    });
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    return {
      url: instance.webhookUrl,
      eventId: envelope.id,
      ok,
      statusCode: result.statusCode,
      durationMs: result.durationMs,
      error: result.error ?? (ok ? null : `HTTP ${result.statusCode ?? '?'}`),
      responseBody: result.responseBody,
    };
  }

  /**
   * Plain secrets of instances. An instance without one yet (made before secrets existed) gets one now; a secret
   * that does not open is left out (logged).
   */
  async plainSecrets(instanceIds: readonly string[]): Promise<Map<string, string>> {
    const sealedById = await this.deps.secretRows.findSealed(instanceIds);
    return this.openSecrets([...sealedById].map(([instanceId, sealed]) => ({ instanceId, sealed })));
  }

  /**
   * The delivery runner's SecretSource: opens the sealed secrets its claim read (one decryption per sealed value
   * while it stays in the cache: a rotated secret is a new value, so nothing stale is used).
   */
  async openSecrets(entries: ReadonlyArray<{ instanceId: string; sealed: string | null }>): Promise<Map<string, string>> {
    const plain = new Map<string, string>();
    for (const { instanceId: id, sealed: stored } of entries) {
      if (plain.has(id)) continue;
      let sealed = stored;
      if (sealed === null) sealed = await this.deps.secretRows.setIfMissing(id, this.deps.secrets.create(id).sealed);
      if (sealed === null) continue;
      const cacheKey = `${id}\n${sealed}`;
      const cached = this.opened.get(cacheKey);
      if (cached !== undefined) {
        plain.set(id, cached);
        continue;
      }
      try {
        const secret = this.deps.secrets.open(id, sealed);
        this.opened.set(cacheKey, secret);
        plain.set(id, secret);
      } catch (err) {
        this.deps.logger.error({ instanceId: id, err: (err as Error).message }, 'webhook secret does not decrypt (ENCRYPTION_KEY changed?)');
      }
    }
    return plain;
  }
}

import type { Logger } from 'pino';
import type { EngineEventMeta, QrCodeInfo, StatusChange } from '../engine/index.js';
import type { QrCodeStore, StoredQrCode } from '../persistence/redis/qr-code-store.js';
import type { InstanceRepository, InstanceStatePatch } from '../persistence/repositories/instance-repository.js';
import type { WebhookEventRepository } from '../persistence/repositories/webhook-event-repository.js';
import type { TransactionRunner } from '../persistence/transaction-runner.js';
import type { EngineEventHandler } from './engine-event-router.js';
import { toQrView } from './instance-views.js';
import type { EventNotifier } from './webhooks/event-notifier.js';
import { webhookEventDataSchemas, type WebhookEventData } from './webhooks/webhook-events.js';

export interface InstanceStatusRecorderDeps {
  instances: InstanceRepository;
  events: WebhookEventRepository;
  transactions: TransactionRunner;
  qrCodes: QrCodeStore;
  /** Hinted after the commit: wakes webhook delivery and SSE streams on every node (the webhooks module's notifier). */
  notifier: EventNotifier;
  logger: Logger;
}

/**
 * Records every status change of an instance: in one transaction, the instance row (status, statusReason,
 * phone, profilePicUrl, nodeId) and a `connection.update` outbox event (appended last, as the repository asks);
 * the current QR goes to Redis with its remaining lifetime so any node's API can show it. After the commit the
 * EventNotifier is hinted. A change for an instance whose row is gone (deleted meanwhile) is dropped.
 */
export class InstanceStatusRecorder implements EngineEventHandler {
  readonly name = 'instance-status';
  private readonly log: Logger;

  constructor(private readonly deps: InstanceStatusRecorderDeps) {
    this.log = deps.logger.child({ component: 'instance-status' });
  }

  async onStatus(instanceId: string, change: StatusChange, meta: EngineEventMeta): Promise<void> {
    const qr = change.status === 'qr' && change.qr ? toStoredQr(change.qr) : null;
    const patch: InstanceStatePatch = {
      status: change.status,
      statusReason: change.reason,
      phone: change.phone,
      nodeId: meta.nodeId,
    };
    if (change.profilePicUrl !== undefined) patch.profilePicUrl = change.profilePicUrl;
    if (change.phone === null) patch.profilePicUrl = null; // unlinked: the old number's picture goes too

    const appended = await this.deps.transactions.run(async (tx) => {
      if (!(await this.deps.instances.updateState(instanceId, patch, tx))) return null;
      // Inside the transaction: the row lock keeps a concurrent DELETE (which purges the QR key after it) behind us.
      if (qr) await this.deps.qrCodes.set(instanceId, qr);
      else await this.deps.qrCodes.delete(instanceId);
      return this.deps.events.append({ instanceId, event: 'connection.update', data: connectionUpdateData(change, qr) }, tx);
    });
    if (!appended) {
      this.log.debug({ instanceId, status: change.status }, 'status of a deleted instance dropped');
      return;
    }
    this.deps.notifier.notifyAppended(instanceId, appended.event.sequence, appended.deliveries.length);
  }
}

export function toStoredQr(qr: QrCodeInfo): StoredQrCode {
  return {
    base64: qr.base64,
    code: qr.code,
    expiry: qr.expirySeconds,
    attemptId: qr.attemptId,
    attempt: qr.attempt,
    maxAttempts: qr.maxAttempts,
    expiresAt: qr.expiresAt,
  };
}

/** The `data` of a `connection.update` webhook event: status, reason, phone and, while pairing, the QR. */
export function connectionUpdateData(change: StatusChange, qr: StoredQrCode | null): WebhookEventData<'connection.update'> {
  return webhookEventDataSchemas['connection.update'].parse({
    status: change.status,
    reason: change.reason,
    phone: change.phone,
    ...(change.profilePicUrl !== undefined ? { profilePicUrl: change.profilePicUrl } : {}),
    ...(qr ? { qrCode: toQrView(qr) } : {}),
  });
}

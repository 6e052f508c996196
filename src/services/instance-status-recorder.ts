import type { Logger } from 'pino';
import { ConcurrencyLimit } from '../concurrency-limit.js';
import type { EngineEventMeta, PairingCodeInfo, QrCodeInfo, StatusChange } from '../engine/index.js';
import type { QrCodeStore, StoredQrCode } from '../persistence/redis/qr-code-store.js';
import type { InstanceRepository, InstanceStatePatch } from '../persistence/repositories/instance-repository.js';
import type { WebhookEventRepository } from '../persistence/repositories/webhook-event-repository.js';
import type { TransactionRunner } from '../persistence/transaction-runner.js';
import type { EngineEventHandler } from './engine-event-router.js';
import { pairingCodeView, toQrView } from './instance-views.js';
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
  /**
   * Status transactions at once (default 4, of the pool's 10 connections). A node adopting hundreds of instances
   * records a `node_lost` for each at once, then their `connected`: without a cap they queued for every pooled
   * connection and the API's queries (and /ready) waited seconds behind them.
   */
  maxConcurrentWrites?: number;
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
  private readonly writes: ConcurrencyLimit;

  constructor(private readonly deps: InstanceStatusRecorderDeps) {
    this.log = deps.logger.child({ component: 'instance-status' });
    this.writes = new ConcurrencyLimit(Math.max(1, deps.maxConcurrentWrites ?? 4));
  }

  async onStatus(instanceId: string, change: StatusChange, meta: EngineEventMeta): Promise<void> {
    const qr = change.status === 'qr' && change.qr ? toStoredQr(change.qr, change.pairingCode) : null;
    const patch: InstanceStatePatch = {
      status: change.status,
      statusReason: change.reason,
      phone: change.phone,
      nodeId: meta.nodeId,
    };
    if (change.profilePicUrl !== undefined) patch.profilePicUrl = change.profilePicUrl;
    if (change.phone === null) patch.profilePicUrl = null; // unlinked: the old number's picture goes too
    if (change.reason === 'node_lost') {
      // The device is still linked (a node died, not the pairing): the number and picture stay.
      delete patch.phone;
      delete patch.profilePicUrl;
    }

    const appended = await this.writes.run(() => this.deps.transactions.run(async (tx) => {
      if (!(await this.deps.instances.updateState(instanceId, patch, tx))) return null;
      // Inside the transaction: the row lock keeps a concurrent DELETE (which purges the QR key after it) behind us.
      if (qr) await this.deps.qrCodes.set(instanceId, qr);
      else await this.deps.qrCodes.delete(instanceId);
      return this.deps.events.append({ instanceId, event: 'connection.update', data: connectionUpdateData(change, qr) }, tx);
    }));
    if (!appended) {
      this.log.debug({ instanceId, status: change.status }, 'status of a deleted instance dropped');
      return;
    }
    this.deps.notifier.notifyAppended(instanceId, appended.event.sequence, appended.deliveries.length);
  }
}

export function toStoredQr(qr: QrCodeInfo, pairingCode?: PairingCodeInfo): StoredQrCode {
  return {
    base64: qr.base64,
    code: qr.code,
    expiry: qr.expirySeconds,
    attemptId: qr.attemptId,
    attempt: qr.attempt,
    maxAttempts: qr.maxAttempts,
    expiresAt: qr.expiresAt,
    ...(pairingCode ? { pairingCode: { code: pairingCode.code, expiresAt: pairingCode.expiresAt } } : {}),
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
    ...(qr?.pairingCode ? { pairingCode: pairingCodeView(qr.pairingCode) } : {}),
  });
}

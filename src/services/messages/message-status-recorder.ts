import type { Logger } from 'pino';
import type { MessageEntity, MessageStatus } from '../../persistence/entities/message.entity.js';
import type { MessageRepository } from '../../persistence/repositories/message-repository.js';
import type { WebhookEventRepository } from '../../persistence/repositories/webhook-event-repository.js';
import type { TransactionRunner } from '../../persistence/transaction-runner.js';
import type { SendJobPayload } from '../../queues/job-payloads.js';
import type { SendFailure, SendStatusSink } from '../../queues/send-ports.js';
import type { EventNotifier } from '../webhooks/event-notifier.js';

/** The webhook status of a message status (failed → error, as WhatsApp names it). */
function webhookStatus(status: MessageStatus): string {
  return status === 'failed' ? 'error' : status;
}

/** `messages.update` data: the WhatsApp key, the status, and our message id. */
export function statusEventData(message: MessageEntity) {
  return {
    key: { remoteJid: message.chatJid, fromMe: message.fromMe, id: message.waMessageId },
    status: webhookStatus(message.status),
    messageId: message.id,
    ...(message.status === 'failed' ? { error: message.error, reason: message.errorCode } : {}),
  };
}

export interface MessageStatusRecorderDeps {
  messages: MessageRepository;
  events: WebhookEventRepository;
  transactions: TransactionRunner;
  notifier: EventNotifier;
  logger: Logger;
}

/**
 * Moves a message's status forward and records the `messages.update` webhook event in the same transaction
 * (appended last), then hints the notifier. Used by the send worker (SendStatusSink) and by the inbound side
 * (receipts). A step that is not forward changes nothing and emits nothing.
 */
export class MessageStatusRecorder implements SendStatusSink {
  constructor(private readonly deps: MessageStatusRecorderDeps) {}

  async onSent(job: SendJobPayload): Promise<void> {
    await this.move(job.instanceId, { id: job.messageId }, 'sent');
  }

  async onFailed(ref: { instanceId: string; messageId: string }, failure: SendFailure): Promise<void> {
    await this.move(ref.instanceId, { id: ref.messageId }, 'failed', { error: failure.message, errorCode: failure.reason });
  }

  /** Returns the updated message, or null when nothing changed. */
  async move(
    instanceId: string,
    ref: { id: string } | { waMessageId: string },
    status: MessageStatus,
    options: { error?: string; errorCode?: string; at?: Date } = {},
  ): Promise<MessageEntity | null> {
    const result = await this.deps.transactions.run(async (tx) => {
      const updated = await this.deps.messages.updateStatus(instanceId, ref, status, options, tx);
      if (!updated) return null;
      const appended = await this.deps.events.append({ instanceId, event: 'messages.update', data: statusEventData(updated) }, tx);
      return { updated, sequence: appended.event.sequence };
    });
    if (!result) return null;
    this.deps.notifier.notifyAppended(instanceId, result.sequence);
    this.deps.logger.debug({ instanceId, messageId: result.updated.id, status }, 'message status');
    return result.updated;
  }
}

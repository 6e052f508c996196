import type { Logger } from 'pino';
import { LruMap } from '../../lru-map.js';
import { statusRank, type MessageStatus } from '../../persistence/entities/message.entity.js';
import type { MessageStatusView } from '../../persistence/repositories/message-status-view.js';
import type { StatusMove, StatusMoved } from '../../persistence/repositories/status-move-repository.js';
import type { SendJobPayload } from '../../queues/job-payloads.js';
import type { SendFailure, SendStatusSink } from '../../queues/send-ports.js';
import type { EventNotifier } from '../webhooks/event-notifier.js';

export interface MessageStatusRecorderDeps {
  /** Writes one move (BatchedStatusMoves: group-committed with the moves submitted alongside it). */
  moves: { move(move: StatusMove): Promise<StatusMoved | null> };
  notifier: EventNotifier;
  logger: Logger;
}

/**
 * Moves a message's status forward and records the `messages.update` webhook event in the same statement (see
 * MessageRepository.updateStatusWithEvent for its data; the moves of one event-loop turn share one statement, see
 * BatchedStatusMoves), then hints the notifier. Used by the send worker
 * (SendStatusSink) and by the inbound side (receipts). A step that is not forward changes nothing and emits nothing.
 */
export class MessageStatusRecorder implements SendStatusSink {
  /**
   * The status each recently moved message reached (`<instance>|<WhatsApp id>`). Statuses only move forward, so a
   * report that is not beyond it (WhatsApp's server ack after the worker already recorded `sent`) needs no
   * statement. Bounded; forgetting only costs a statement that changes nothing.
   */
  private readonly reached = new LruMap<string, MessageStatus>(50_000);

  constructor(private readonly deps: MessageStatusRecorderDeps) {}

  async onSent(job: SendJobPayload): Promise<void> {
    await this.move(job.instanceId, { id: job.messageId }, 'sent');
  }

  async onFailed(ref: { instanceId: string; messageId: string }, failure: SendFailure): Promise<void> {
    await this.move(ref.instanceId, { id: ref.messageId }, 'failed', { error: failure.message, errorCode: failure.reason });
  }

  /** Returns where the message's status now stands, or null when nothing changed. */
  async move(
    instanceId: string,
    ref: { id: string } | { waMessageId: string },
    status: MessageStatus,
    options: { error?: string; errorCode?: string; at?: Date } = {},
  ): Promise<MessageStatusView | null> {
    const key = 'waMessageId' in ref ? `${instanceId}|${ref.waMessageId}` : null;
    const known = key ? this.reached.get(key) : undefined;
    if (known !== undefined && statusRank(known) >= statusRank(status)) return null;
    const result = await this.deps.moves.move({ instanceId, ref, status, ...options });
    if (!result) return null;
    this.reached.set(`${instanceId}|${result.message.waMessageId}`, result.message.status);
    this.deps.notifier.notifyAppended(instanceId, result.event.event.sequence, result.event.deliveries.length);
    this.deps.logger.debug({ instanceId, messageId: result.message.id, status }, 'message status');
    return result.message;
  }
}

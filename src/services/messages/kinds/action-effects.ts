import type { Logger } from 'pino';
import type { MessageRepository } from '../../../persistence/repositories/message-repository.js';
import type { WebhookEventRepository } from '../../../persistence/repositories/webhook-event-repository.js';
import type { TransactionRunner } from '../../../persistence/transaction-runner.js';
import type { SendJobPayload } from '../../../queues/job-payloads.js';
import type { SendFailure, SendStatusSink } from '../../../queues/send-ports.js';
import type { EventNotifier } from '../../webhooks/event-notifier.js';
import { messageUpdateBase } from '../message-update-event.js';

export interface ActionEffectsDeps {
  messages: Pick<MessageRepository, 'applyReaction' | 'applyEdit' | 'markRevoked'>;
  events: Pick<WebhookEventRepository, 'append'>;
  transactions: TransactionRunner;
  notifier: EventNotifier;
  logger: Logger;
  now?: () => Date;
}

/**
 * What our reactions, edits and revokes do to the message they act on, once WhatsApp took them (the engine does not
 * echo our own sends): the reaction kept under `me`, the new text with `editedAt` (and `messages.update` with the
 * edit), the revoke mark (and `messages.delete`), as for the same actions received from a contact. Each is applied
 * at most once where it matters: a revoke already marked, a stale edit or reaction change nothing and send nothing.
 */
export class ActionEffects {
  private readonly now: () => Date;

  constructor(private readonly deps: ActionEffectsDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async apply(job: SendJobPayload): Promise<void> {
    const content = job.content;
    if (content.type !== 'reaction' && content.type !== 'edit' && content.type !== 'revoke') return;
    const { instanceId } = job;
    const ref = { waMessageId: content.target.id };
    const at = this.now();
    const appended = await this.deps.transactions.run(async (tx) => {
      switch (content.type) {
        case 'reaction': {
          // Our reaction shows on the message; the reaction's own row reports its status.
          await this.deps.messages.applyReaction(instanceId, ref, { senderJid: 'me', emoji: content.emoji, at }, tx);
          return null;
        }
        case 'edit': {
          const updated = await this.deps.messages.applyEdit(instanceId, ref, { text: content.text, at }, tx);
          if (!updated) return null;
          return this.deps.events.append(
            {
              instanceId,
              event: 'messages.update',
              data: {
                ...messageUpdateBase(updated),
                edit: { text: updated.text, caption: updated.caption, editedAt: at.toISOString() },
              },
            },
            tx,
          );
        }
        case 'revoke': {
          const revoked = await this.deps.messages.markRevoked(instanceId, ref, at, tx);
          if (!revoked) return null;
          return this.deps.events.append(
            {
              instanceId,
              event: 'messages.delete',
              data: { key: { remoteJid: revoked.chatJid, fromMe: revoked.fromMe, id: revoked.waMessageId }, messageId: revoked.id, by: 'me' },
            },
            tx,
          );
        }
      }
    });
    if (appended) this.deps.notifier.notifyAppended(instanceId, appended.event.sequence, appended.deliveries.length);
    this.deps.logger.debug({ instanceId, messageId: job.messageId, action: content.type }, 'action applied to its target');
  }

  /** `sink` with the effects applied after each successful send. */
  wrap(sink: SendStatusSink): SendStatusSink {
    return {
      onSent: async (job: SendJobPayload, result: { waMessageId: string }) => {
        await sink.onSent(job, result);
        await this.apply(job);
      },
      onFailed: (ref: { instanceId: string; messageId: string }, failure: SendFailure) => sink.onFailed(ref, failure),
    };
  }
}

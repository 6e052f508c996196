import type { MessageEntity, MessageStatus } from '../../persistence/entities/message.entity.js';

/** A message status as `messages.update` names it (the seed's names). */
export type WebhookMessageStatus = 'error' | 'pending' | 'sent' | 'delivered' | 'read' | 'played';

export function webhookStatusOf(status: MessageStatus): WebhookMessageStatus {
  if (status === 'failed') return 'error';
  if (status === 'queued' || status === 'sending') return 'pending';
  return status;
}

/**
 * What every `messages.update` about a stored message starts with: its key, its status (an inbound message reads
 * `delivered`) and our id. Callers add what changed (an edit, a poll's tally...).
 */
export function messageUpdateBase(m: Pick<MessageEntity, 'id' | 'waMessageId' | 'chatJid' | 'fromMe' | 'status'>) {
  return {
    key: { remoteJid: m.chatJid, fromMe: m.fromMe, id: m.waMessageId },
    status: m.fromMe ? webhookStatusOf(m.status) : ('delivered' as const),
    messageId: m.id,
  };
}

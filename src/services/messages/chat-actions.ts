import { ValidationError } from '../../errors/validation-error.js';
import type { ChatRepository } from '../../persistence/repositories/chat-repository.js';
import type { InstanceRepository } from '../../persistence/repositories/instance-repository.js';
import type { MessageRepository } from '../../persistence/repositories/message-repository.js';
import type { TransactionRunner } from '../../persistence/transaction-runner.js';
import type { MessagingEngine } from './messaging-ports.js';
import { chatJidOf } from './recipient-input.js';
import { InvalidRecipientError, normalizeRecipient } from './recipient.js';
import { instanceOfTenant } from './tenant-instance.js';

export interface ChatActionsDeps {
  instances: InstanceRepository;
  messages: MessageRepository;
  chats: ChatRepository;
  transactions: TransactionRunner;
  engine: MessagingEngine;
}

/** What messaging asks of WhatsApp besides sending: the number check and read receipts. Engine errors go up as they are. */
export class ChatActions {
  constructor(private readonly deps: ChatActionsDeps) {}

  /** WhatsApp's own lookup of a phone number. */
  async checkNumber(tenantId: string, instanceId: string, phone: string): Promise<{ phone: string; exists: boolean; jid: string | null }> {
    await instanceOfTenant(this.deps.instances, tenantId, instanceId);
    const recipient = (() => {
      try {
        return normalizeRecipient(phone);
      } catch (err) {
        if (err instanceof InvalidRecipientError) {
          throw new ValidationError(err.message, [{ location: 'params', path: 'phone', message: err.message, code: err.reason }], 'INVALID_RECIPIENT');
        }
        throw err;
      }
    })();
    if (!recipient.phone) throw new ValidationError('Only phone numbers can be checked', undefined, 'INVALID_RECIPIENT');
    const found = await this.deps.engine.onWhatsApp(instanceId, recipient.phone);
    return { phone: `+${recipient.phone}`, exists: found.exists, jid: found.jid };
  }

  /** Marks the chat's inbound messages read here and sends WhatsApp read receipts for them. */
  async markChatRead(tenantId: string, instanceId: string, chat: string): Promise<{ jid: string; marked: number }> {
    await instanceOfTenant(this.deps.instances, tenantId, instanceId);
    const jid = chatJidOf(chat);
    const unread = await this.deps.messages.findUnreadInbound(instanceId, jid);
    if (unread.length > 0) {
      await this.deps.engine.readMessages(
        instanceId,
        unread.map((m) => ({ id: m.waMessageId, remoteJid: m.chatJid, participant: jid.endsWith('@g.us') ? m.senderJid : null })),
      );
    }
    await this.deps.transactions.run(async (tx) => {
      await this.deps.messages.markChatRead(instanceId, jid, new Date(), tx);
      await this.deps.chats.upsertMany(instanceId, [{ jid, unreadCount: 0 }], tx);
    });
    return { jid, marked: unread.length };
  }
}

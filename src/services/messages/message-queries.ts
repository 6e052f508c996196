import { ConflictError } from '../../errors/conflict-error.js';
import { NotFoundError } from '../../errors/not-found-error.js';
import type { PageRequest } from '../../persistence/pagination.js';
import type { ChatRepository } from '../../persistence/repositories/chat-repository.js';
import type { ContactRepository } from '../../persistence/repositories/contact-repository.js';
import type { InstanceRepository } from '../../persistence/repositories/instance-repository.js';
import type { MessageRepository } from '../../persistence/repositories/message-repository.js';
import type { MediaStorage } from './media-storage.js';
import { toChatView, toContactView, toMessageView, toPageView, type MessageView } from './message-views.js';
import { chatJidOf } from './recipient-input.js';
import { instanceOfTenant } from './tenant-instance.js';

export interface MessageQueriesDeps {
  instances: InstanceRepository;
  messages: MessageRepository;
  contacts: ContactRepository;
  chats: ChatRepository;
  storage: MediaStorage;
}

/** The read side of messaging for one tenant's instances: messages, media, contacts, chats. */
export class MessageQueries {
  constructor(private readonly deps: MessageQueriesDeps) {}

  async getMessage(tenantId: string, instanceId: string, messageId: string): Promise<MessageView> {
    await instanceOfTenant(this.deps.instances, tenantId, instanceId);
    const message =
      (await this.deps.messages.findById(instanceId, messageId)) ?? (await this.deps.messages.findByWaId(instanceId, messageId));
    if (!message) throw new NotFoundError('Message not found');
    return toMessageView(message);
  }

  async getMedia(tenantId: string, instanceId: string, messageId: string): Promise<{ data: Buffer; mimetype: string; fileName: string | null }> {
    await instanceOfTenant(this.deps.instances, tenantId, instanceId);
    const message =
      (await this.deps.messages.findById(instanceId, messageId)) ?? (await this.deps.messages.findByWaId(instanceId, messageId));
    if (!message) throw new NotFoundError('Message not found');
    if (!message.mediaStatus) throw new NotFoundError('This message has no media', undefined, 'NO_MEDIA');
    if (message.mediaStatus !== 'stored' || !message.mediaStorageKey) {
      throw new ConflictError(
        message.mediaStatus === 'failed' ? `The media could not be stored: ${message.mediaError ?? 'unknown error'}` : 'The media is not stored yet',
        { mediaStatus: message.mediaStatus },
        'MEDIA_NOT_AVAILABLE',
      );
    }
    const data = await this.deps.storage.get(message.mediaStorageKey);
    if (!data) throw new NotFoundError('The media file is missing', undefined, 'MEDIA_MISSING');
    return { data, mimetype: message.mediaMimetype ?? 'application/octet-stream', fileName: message.mediaFileName };
  }

  async listContacts(tenantId: string, instanceId: string, page: PageRequest, search?: string) {
    await instanceOfTenant(this.deps.instances, tenantId, instanceId);
    return toPageView(await this.deps.contacts.list(instanceId, search ? { search } : {}, page), toContactView);
  }

  async listChats(tenantId: string, instanceId: string, page: PageRequest, filter: { archived?: boolean; isGroup?: boolean } = {}) {
    await instanceOfTenant(this.deps.instances, tenantId, instanceId);
    return toPageView(await this.deps.chats.list(instanceId, filter, page), toChatView);
  }

  async listChatMessages(tenantId: string, instanceId: string, chat: string, page: PageRequest) {
    await instanceOfTenant(this.deps.instances, tenantId, instanceId);
    const jid = chatJidOf(chat);
    return toPageView(await this.deps.messages.listByChat(instanceId, jid, page), toMessageView);
  }
}

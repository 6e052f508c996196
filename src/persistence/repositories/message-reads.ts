import type { DataSource, EntityManager } from 'typeorm';
import { MessageEntity } from '../entities/message.entity.js';
import { paginate, type Page, type PageRequest } from '../pagination.js';
import type { MessageRef } from './message-inputs.js';

/** The read side of the messages table: lookups by id, the lists behind read receipts, recovery and the chat view. */
export class MessageReads {
  constructor(protected readonly ds: DataSource) {}

  findById(instanceId: string, id: string): Promise<MessageEntity | null> {
    return this.ds.getRepository(MessageEntity).findOneBy({ instanceId, id });
  }

  findByWaId(instanceId: string, waMessageId: string): Promise<MessageEntity | null> {
    return this.ds.getRepository(MessageEntity).findOneBy({ instanceId, waMessageId });
  }

  protected findByRef(em: EntityManager, instanceId: string, ref: MessageRef): Promise<MessageEntity | null> {
    return em.getRepository(MessageEntity).findOneBy({ instanceId, ...ref });
  }

  /** The chat's inbound messages not read yet (oldest first, at most `limit`), for read receipts. */
  findUnreadInbound(instanceId: string, chatJid: string, limit = 1000): Promise<MessageEntity[]> {
    return this.ds
      .getRepository(MessageEntity)
      .createQueryBuilder('m')
      .where('m.instanceId = :instanceId AND m.chatJid = :chatJid AND m.fromMe = false', { instanceId, chatJid })
      .andWhere(`m.status NOT IN ('read', 'played')`)
      .orderBy('m.messageTimestamp', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** Outgoing messages still `queued` that were accepted before `before` (to re-enqueue after a crash). */
  findQueuedBefore(before: Date, limit = 1000): Promise<MessageEntity[]> {
    return this.ds
      .getRepository(MessageEntity)
      .createQueryBuilder('m')
      .where(`m.status = 'queued' AND m.fromMe = true AND m.createdAt < :before`, { before })
      .orderBy('m.createdAt', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** Messages whose media is still to be downloaded (inbound) after a restart. */
  findMediaPending(limit = 100): Promise<MessageEntity[]> {
    return this.ds
      .getRepository(MessageEntity)
      .createQueryBuilder('m')
      .where(`m.mediaStatus = 'pending' AND m.fromMe = false`)
      .orderBy('m.createdAt', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** A chat's messages, newest first (same second: the later stored first). */
  listByChat(instanceId: string, chatJid: string, page: PageRequest = {}): Promise<Page<MessageEntity>> {
    const query = this.ds
      .getRepository(MessageEntity)
      .createQueryBuilder('m')
      .where('m.instanceId = :instanceId AND m.chatJid = :chatJid', { instanceId, chatJid })
      // Our reactions, edits and revokes show on the message they act on, not as messages of their own.
      .andWhere(`NOT (m.fromMe AND m.type IN ('reaction', 'edit', 'revoke'))`)
      .orderBy('m.messageTimestamp', 'DESC')
      // Messages of the same second (WhatsApp timestamps are whole seconds): the later stored first.
      .addOrderBy('m.createdAt', 'DESC')
      .addOrderBy('m.id', 'DESC');
    return paginate(query, page);
  }
}

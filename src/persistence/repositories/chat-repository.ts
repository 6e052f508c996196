import type { DataSource } from 'typeorm';
import { ChatEntity } from '../entities/chat.entity.js';
import { paginate, type Page, type PageRequest } from '../pagination.js';
import { withoutNul } from '../sql.js';
import { inTransaction, type Tx } from '../transaction-runner.js';
import { batchUpsert, type BatchColumn, type BatchUpsertResult } from './batch-upsert.js';

/**
 * What WhatsApp told us about a chat. Undefined fields keep the stored value; null clears a nullable one
 * (`mutedUntil: null` unmutes). `isGroup` defaults to whether the JID ends in `@g.us`.
 */
export type ChatInput = { jid: string } & Partial<
  Pick<
    ChatEntity,
    | 'name'
    | 'isGroup'
    | 'unreadCount'
    | 'lastMessageAt'
    | 'archived'
    | 'pinned'
    | 'mutedUntil'
    | 'readOnly'
    | 'isAnnouncement'
    | 'markedSpam'
  >
>;

/** The last message time only moves forward: history sync may report an older one after live messages. */
const later = (old: string, input: string) => `GREATEST(${old}, ${input})`;

const COLUMNS: readonly (BatchColumn & { prop: keyof ChatInput })[] = [
  { name: 'name', prop: 'name', type: 'text' },
  { name: 'is_group', prop: 'isGroup', type: 'boolean', default: 'false' },
  { name: 'unread_count', prop: 'unreadCount', type: 'integer', default: '0' },
  { name: 'last_message_at', prop: 'lastMessageAt', type: 'timestamptz', merge: later },
  { name: 'archived', prop: 'archived', type: 'boolean', default: 'false' },
  { name: 'pinned', prop: 'pinned', type: 'boolean', default: 'false' },
  { name: 'muted_until', prop: 'mutedUntil', type: 'timestamptz' },
  { name: 'read_only', prop: 'readOnly', type: 'boolean', default: 'false' },
  { name: 'is_announcement', prop: 'isAnnouncement', type: 'boolean', default: 'false' },
  { name: 'marked_spam', prop: 'markedSpam', type: 'boolean', default: 'false' },
];

export interface ChatListFilter {
  archived?: boolean;
  isGroup?: boolean;
}

/**
 * SQL of a CTE body that records the message row of `source` (an earlier CTE of the same statement, with the
 * columns of "messages") in its chat: creates the chat if needed, moves its last message time forward and adds
 * `unread` (an SQL expression over `m.`, the message) to its unread count. For the statements that store a
 * message and record it in its chat at once.
 */
export function recordInChatSql(source: string, unread: string): string {
  return `INSERT INTO "chats" AS c ("instance_id", "jid", "is_group", "last_message_at", "unread_count")
         SELECT m."instance_id", m."chat_jid", m."chat_jid" LIKE '%@g.us', m."message_timestamp", ${unread} FROM ${source} m
         ON CONFLICT ("instance_id", "jid") DO UPDATE SET
         "last_message_at" = GREATEST(c."last_message_at", EXCLUDED."last_message_at"),
         "unread_count" = c."unread_count" + EXCLUDED."unread_count",
         "updated_at" = now()`;
}

/**
 * Like recordInChatSql for the outgoing messages of `source` (many rows, maybe several of one chat): one row per
 * chat with its latest message time, in key order (so concurrent batches lock chats in the same order), no unread.
 * One row per chat because an upsert may not touch the same row twice.
 */
export function recordOutgoingInChatsSql(source: string): string {
  return `INSERT INTO "chats" AS c ("instance_id", "jid", "is_group", "last_message_at", "unread_count")
         SELECT m."instance_id", m."chat_jid", m."chat_jid" LIKE '%@g.us', max(m."message_timestamp"), 0 FROM ${source} m
         GROUP BY m."instance_id", m."chat_jid" ORDER BY m."instance_id", m."chat_jid"
         ON CONFLICT ("instance_id", "jid") DO UPDATE SET
         "last_message_at" = GREATEST(c."last_message_at", EXCLUDED."last_message_at"),
         "updated_at" = now()`;
}

export class ChatRepository {
  constructor(private readonly ds: DataSource) {}

  /** Inserts new chats and merges the given fields into existing ones. Runs in `tx` when given, else in its own. */
  upsertMany(instanceId: string, chats: readonly ChatInput[], tx?: Tx): Promise<BatchUpsertResult> {
    if (chats.length === 0) return Promise.resolve({ inserted: 0, updated: 0 });
    const rows = chats.map((c) => {
      const values: Record<string, unknown> = {};
      for (const col of COLUMNS) {
        const value = c[col.prop];
        values[col.name] = typeof value === 'string' ? withoutNul(value) : value;
      }
      values.is_group ??= c.jid.endsWith('@g.us');
      return { key: c.jid, values };
    });
    return inTransaction(this.ds, tx, (em) => batchUpsert(em, { table: 'chats', key: 'jid', instanceId, columns: COLUMNS }, rows));
  }

  find(instanceId: string, jid: string): Promise<ChatEntity | null> {
    return this.ds.getRepository(ChatEntity).findOneBy({ instanceId, jid });
  }

  /** Pinned first, then the most recent conversation first (chats without messages last), then JID. */
  list(instanceId: string, filter: ChatListFilter = {}, page: PageRequest = {}): Promise<Page<ChatEntity>> {
    const query = this.ds
      .getRepository(ChatEntity)
      .createQueryBuilder('c')
      .where('c.instanceId = :instanceId', { instanceId });
    if (filter.archived !== undefined) query.andWhere('c.archived = :archived', { archived: filter.archived });
    if (filter.isGroup !== undefined) query.andWhere('c.isGroup = :isGroup', { isGroup: filter.isGroup });
    query
      .orderBy('c.pinned', 'DESC')
      .addOrderBy('c.lastMessageAt', 'DESC', 'NULLS LAST')
      .addOrderBy('c.jid', 'ASC');
    return paginate(query, page);
  }

  async delete(instanceId: string, jid: string, tx?: Tx): Promise<boolean> {
    const result = await (tx ?? this.ds.manager).getRepository(ChatEntity).delete({ instanceId, jid });
    return (result.affected ?? 0) > 0;
  }
}

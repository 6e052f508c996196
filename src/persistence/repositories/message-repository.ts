import { randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { MESSAGE_STATUSES, MessageEntity, statusRank, type MessageStatus } from '../entities/message.entity.js';
import { paginate, type Page, type PageRequest } from '../pagination.js';
import { columnList, hydrate, insertParts, jsonParam, runSql, toParam } from '../sql.js';
import { inTransaction, type Tx } from '../transaction-runner.js';
import { recordInChatSql } from './chat-repository.js';
import {
  appendedColumns,
  appendEventCtes,
  newWebhookDeliveryId,
  newWebhookEventRowId,
  readAppended,
  type AppendedEvent,
} from './webhook-event-repository.js';

/** `msg_` + 16 random url-safe characters (96 bits). */
export function newMessageId(): string {
  return `msg_${randomBytes(12).toString('base64url')}`;
}

type Content = Partial<
  Pick<
    MessageEntity,
    | 'text'
    | 'caption'
    | 'mediaUrl'
    | 'mediaMimetype'
    | 'mediaFileName'
    | 'mediaSize'
    | 'mediaSha256'
    | 'mediaStorageKey'
    | 'mediaStatus'
    | 'ptt'
    | 'mentions'
    | 'quotedWaMessageId'
    | 'raw'
  >
>;

/** A message the API accepted for sending; it starts `queued`, its WhatsApp id already fixed. */
export type NewOutgoingMessage = Content & {
  /** Defaults to `newMessageId()`. */
  id?: string;
  instanceId: string;
  waMessageId: string;
  chatJid: string;
  type: string;
  /** Defaults to now. */
  messageTimestamp?: Date;
};

/** A message WhatsApp reported (`messages.upsert`): inbound, or ours sent from another device or echoed back. */
export type NewStoredMessage = Content & {
  id?: string;
  instanceId: string;
  waMessageId: string;
  chatJid: string;
  fromMe: boolean;
  senderJid?: string | null;
  pushName?: string | null;
  type: string;
  messageTimestamp: Date;
  /** Defaults to `sent` for our own messages and `delivered` for inbound ones. */
  status?: MessageStatus;
};

/** Which message: our id or WhatsApp's. */
export type MessageRef = { id: string } | { waMessageId: string };

export type MediaPatch = Partial<
  Pick<MessageEntity, 'mediaMimetype' | 'mediaFileName' | 'mediaSize' | 'mediaSha256' | 'mediaStorageKey' | 'mediaStatus' | 'mediaError'>
>;

export interface StoredMessage {
  /** False when a message with this WhatsApp id was already stored; `message` is then the stored one. */
  inserted: boolean;
  message: MessageEntity;
}

const RANKS = `ARRAY[${MESSAGE_STATUSES.map((s) => `'${s}'`).join(', ')}]::text[]`;

function refWhere(ref: MessageRef, param: number): string {
  return 'id' in ref ? `"id" = $${param}` : `"wa_message_id" = $${param}`;
}
const refValue = (ref: MessageRef) => ('id' in ref ? ref.id : ref.waMessageId);

/** The forward-only status UPDATE (no RETURNING): $1 instance, $2 ref, $3 status, $4 at, $5 error, $6 error code. */
function statusUpdateSql(ref: MessageRef): string {
  const implied = (step: MessageStatus, column: string) =>
    `"${column}" = CASE WHEN array_position(${RANKS}, $3::text) >= array_position(${RANKS}, '${step}')
       THEN COALESCE("${column}", $4::timestamptz) ELSE "${column}" END`;
  return `UPDATE "messages" SET
       "status" = $3::text,
       ${implied('sent', 'sent_at')}, ${implied('delivered', 'delivered_at')},
       ${implied('read', 'read_at')}, ${implied('played', 'played_at')},
       "failed_at" = CASE WHEN $3::text = 'failed' THEN $4::timestamptz ELSE "failed_at" END,
       "error" = CASE WHEN $3::text = 'failed' THEN $5::text END,
       "error_code" = CASE WHEN $3::text = 'failed' THEN $6::text END,
       "updated_at" = now()
     WHERE "instance_id" = $1 AND ${refWhere(ref, 2)}
       AND array_position(${RANKS}, "status") < array_position(${RANKS}, $3::text)`;
}

export class MessageRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * The API's accept of a message to send, in one statement: inserts it `queued` only when the instance belongs to
   * the tenant, and records it in its chat (last message time; the chat row is locked only while the statement
   * runs, so concurrent sends to one chat do not queue behind a transaction). Returns null when the tenant has no
   * such instance. Throws the unique violation if the WhatsApp id is taken.
   */
  async acceptOutgoing(tenantId: string, input: NewOutgoingMessage, tx?: Tx): Promise<MessageEntity | null> {
    const em = tx ?? this.ds.manager;
    const parts = insertParts(
      em,
      MessageEntity,
      { ...input, id: input.id ?? newMessageId(), fromMe: true, status: 'queued', messageTimestamp: input.messageTimestamp ?? new Date() },
      3,
    );
    const { rows } = await runSql(
      em,
      `WITH inst AS (SELECT "id" FROM "instances" WHERE "id" = $1 AND "tenant_id" = $2),
       ins AS (INSERT INTO "messages" (${parts.columns}) SELECT ${parts.placeholders} FROM inst RETURNING *),
       chat AS (${recordInChatSql('ins', '0')})
       SELECT ${columnList(em, MessageEntity, 'ins')} FROM ins`,
      [input.instanceId, tenantId, ...parts.params],
    );
    return rows[0] ? hydrate(em, MessageEntity, rows[0]) : null;
  }

  /**
   * Stores many reported messages at once (history sync), each at most once; returns the WhatsApp ids that were
   * new. Chats and events are the caller's (history does not go to webhooks).
   */
  async insertManyIfAbsent(inputs: readonly NewStoredMessage[], tx?: Tx): Promise<string[]> {
    if (inputs.length === 0) return [];
    return inTransaction(this.ds, tx, async (em) => {
      const metadata = em.connection.getMetadata(MessageEntity);
      const rows = inputs.map((input) => this.storedValues(input));
      const columns = metadata.columns.filter((c) => rows.some((r) => r[c.propertyName] !== undefined));
      const inserted: string[] = [];
      // Postgres takes at most 65,535 parameters per statement.
      const perChunk = Math.max(1, Math.floor(60_000 / columns.length));
      for (let start = 0; start < rows.length; start += perChunk) {
        const params: unknown[] = [];
        const tuples = rows.slice(start, start + perChunk).map((row) => {
          const cells = columns.map((c) => {
            const value = row[c.propertyName];
            if (value === undefined) return 'DEFAULT';
            params.push(toParam(c, value));
            return `$${params.length}`;
          });
          return `(${cells.join(', ')})`;
        });
        const { rows: created } = await runSql<{ wa: string }>(
          em,
          `INSERT INTO "messages" (${columns.map((c) => `"${c.databaseName}"`).join(', ')}) VALUES ${tuples.join(', ')}
           ON CONFLICT ON CONSTRAINT "uq_messages_wa_message_id" DO NOTHING
           RETURNING "wa_message_id" AS wa`,
          params,
        );
        inserted.push(...created.map((r) => r.wa));
      }
      return inserted;
    });
  }

  /** Column values of a reported message, by property, with the defaults for status and its timestamps. */
  private storedValues(input: NewStoredMessage): Record<string, unknown> {
    const status = input.status ?? (input.fromMe ? 'sent' : 'delivered');
    return {
      ...input,
      id: input.id ?? newMessageId(),
      status,
      sentAt: input.fromMe && statusRank(status) >= statusRank('sent') ? input.messageTimestamp : undefined,
      deliveredAt: !input.fromMe ? input.messageTimestamp : undefined,
    };
  }

  /**
   * The inbound path in one statement (in `tx` when given): stores the message once and, only when it is new,
   * records it in its chat (last message time, unread count for inbound) and appends the webhook event, whose
   * `data` the caller builds (so give `input.id` when the data names our id). All of it commits or none; a
   * message already stored changes nothing and appends nothing.
   */
  async storeWithEvent(
    input: NewStoredMessage,
    event: { event: string; data: unknown } | null,
    tx?: Tx,
  ): Promise<StoredMessage & { event: AppendedEvent | null }> {
    const em = tx ?? this.ds.manager;
    const parts = insertParts(em, MessageEntity, this.storedValues(input));
    const n = parts.params.length;
    const eventCtes = event
      ? `, ${appendEventCtes({ source: 'ins', eventId: `$${n + 1}`, event: `$${n + 2}`, payload: `$${n + 3}::json`, deliveryId: `$${n + 4}` })}`
      : '';
    const { rows } = await runSql(
      em,
      `WITH ins AS (
         INSERT INTO "messages" (${parts.columns}) VALUES (${parts.placeholders})
         ON CONFLICT ON CONSTRAINT "uq_messages_wa_message_id" DO NOTHING
         RETURNING *
       ),
       chat AS (${recordInChatSql('ins', 'CASE WHEN m."from_me" THEN 0 ELSE 1 END')})${eventCtes}
       SELECT ${columnList(em, MessageEntity, 'ins')}${event ? `, ${appendedColumns(em)}` : ''}
       FROM ins${event ? ' LEFT JOIN ev ON true LEFT JOIN ev_dl ON true' : ''}`,
      event
        ? [...parts.params, newWebhookEventRowId(), event.event, jsonParam(event.data ?? {}), newWebhookDeliveryId()]
        : parts.params,
    );
    const row = rows[0];
    if (row) return { inserted: true, message: hydrate(em, MessageEntity, row), event: event ? readAppended(em, row) : null };
    const existing = await this.findByRef(em, input.instanceId, { waMessageId: input.waMessageId });
    if (!existing) throw new Error(`message ${input.waMessageId} conflicted but cannot be read`);
    return { inserted: false, message: existing, event: null };
  }

  findById(instanceId: string, id: string): Promise<MessageEntity | null> {
    return this.ds.getRepository(MessageEntity).findOneBy({ instanceId, id });
  }

  findByWaId(instanceId: string, waMessageId: string): Promise<MessageEntity | null> {
    return this.ds.getRepository(MessageEntity).findOneBy({ instanceId, waMessageId });
  }

  private findByRef(em: EntityManager, instanceId: string, ref: MessageRef): Promise<MessageEntity | null> {
    return em.getRepository(MessageEntity).findOneBy({ instanceId, ...ref });
  }

  /**
   * Moves a message's status forward, never back: queued < sending < failed < sent < delivered < read < played
   * (so `failed` only follows queued or sending, and a late `delivered` after `read` changes nothing). Fills the
   * timestamps the move passes (jumping to `read` sets sentAt and deliveredAt too). When the status moved, its
   * `messages.update` webhook event is appended in the same statement: `{ key: { remoteJid, fromMe, id }, status,
   * messageId }` from the updated row (status `error` for failed, with `error` and `reason`), as the seed's
   * messages.update. Null when nothing changed (unknown message, or not a step forward).
   */
  async updateStatusWithEvent(
    instanceId: string,
    ref: MessageRef,
    status: MessageStatus,
    options: { at?: Date; error?: string | null; errorCode?: string | null } = {},
    tx?: Tx,
  ): Promise<{ message: MessageEntity; event: AppendedEvent } | null> {
    const em = tx ?? this.ds.manager;
    const key = `'key', json_build_object('remoteJid', src."chat_jid", 'fromMe', src."from_me", 'id', src."wa_message_id")`;
    const payload = `CASE WHEN src."status" = 'failed'
        THEN json_build_object(${key}, 'status', 'error', 'messageId', src."id", 'error', src."error", 'reason', src."error_code")
        ELSE json_build_object(${key}, 'status', src."status", 'messageId', src."id") END`;
    const { rows } = await runSql(
      em,
      `WITH upd AS (${statusUpdateSql(ref)} RETURNING *),
       ${appendEventCtes({ source: 'upd', eventId: '$7', event: "'messages.update'", payload, deliveryId: '$8' })}
       SELECT ${columnList(em, MessageEntity, 'upd')}, ${appendedColumns(em)}
       FROM upd LEFT JOIN ev ON true LEFT JOIN ev_dl ON true`,
      [
        instanceId,
        refValue(ref),
        status,
        options.at ?? new Date(),
        options.error ?? null,
        options.errorCode ?? null,
        newWebhookEventRowId(),
        newWebhookDeliveryId(),
      ],
    );
    const row = rows[0];
    const event = readAppended(em, row);
    if (!row || !event) return null;
    return { message: hydrate(em, MessageEntity, row), event };
  }

  /** Fails every queued or sending message of an instance (disconnected for too long, deleted). Returns them. */
  async failUnsent(
    instanceId: string,
    reason: { error: string; errorCode?: string | null },
    tx?: Tx,
  ): Promise<MessageEntity[]> {
    const em = tx ?? this.ds.manager;
    const { rows } = await runSql(
      em,
      `UPDATE "messages" SET "status" = 'failed', "failed_at" = now(), "error" = $2, "error_code" = $3, "updated_at" = now()
       WHERE "instance_id" = $1 AND "status" IN ('queued', 'sending')
       RETURNING ${columnList(em, MessageEntity)}`,
      [instanceId, reason.error, reason.errorCode ?? null],
    );
    return rows.map((row) => hydrate(em, MessageEntity, row));
  }

  /**
   * Marks the chat's inbound messages read (those not read yet) and returns them, for the read receipts to send.
   */
  async markChatRead(instanceId: string, chatJid: string, at: Date = new Date(), tx?: Tx): Promise<MessageEntity[]> {
    const em = tx ?? this.ds.manager;
    const { rows } = await runSql(
      em,
      `UPDATE "messages" SET "status" = 'read', "read_at" = $3, "delivered_at" = COALESCE("delivered_at", $3), "updated_at" = now()
       WHERE "instance_id" = $1 AND "chat_jid" = $2 AND NOT "from_me"
         AND array_position(${RANKS}, "status") < array_position(${RANKS}, 'read')
       RETURNING ${columnList(em, MessageEntity)}`,
      [instanceId, chatJid, at],
    );
    return rows.map((row) => hydrate(em, MessageEntity, row));
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

  /** Records media download/storage progress. Returns the message, or null when it does not exist. */
  async updateMedia(instanceId: string, id: string, patch: MediaPatch, tx?: Tx): Promise<MessageEntity | null> {
    const repo = (tx ?? this.ds.manager).getRepository(MessageEntity);
    if (Object.keys(patch).length > 0) {
      const result = await repo.update({ instanceId, id }, patch);
      if (!result.affected) return null;
    }
    return repo.findOneBy({ instanceId, id });
  }

  /** Deleted for everyone. Null when unknown or already revoked (so the event is emitted once). */
  async markRevoked(instanceId: string, ref: MessageRef, at: Date = new Date(), tx?: Tx): Promise<MessageEntity | null> {
    const em = tx ?? this.ds.manager;
    const { rows } = await runSql(
      em,
      `UPDATE "messages" SET "revoked_at" = $3, "updated_at" = now()
       WHERE "instance_id" = $1 AND ${refWhere(ref, 2)} AND "revoked_at" IS NULL
       RETURNING ${columnList(em, MessageEntity)}`,
      [instanceId, refValue(ref), at],
    );
    return rows[0] ? hydrate(em, MessageEntity, rows[0]) : null;
  }

  /**
   * An edit: replaces the text and/or caption given. Edits older than the last one applied are ignored (they may
   * arrive out of order). Null when unknown or stale.
   */
  async applyEdit(
    instanceId: string,
    ref: MessageRef,
    edit: { text?: string | null; caption?: string | null; at: Date },
    tx?: Tx,
  ): Promise<MessageEntity | null> {
    const em = tx ?? this.ds.manager;
    const { rows } = await runSql(
      em,
      `UPDATE "messages" SET
         "text" = CASE WHEN $3::boolean THEN $4 ELSE "text" END,
         "caption" = CASE WHEN $5::boolean THEN $6 ELSE "caption" END,
         "edited_at" = $7, "updated_at" = now()
       WHERE "instance_id" = $1 AND ${refWhere(ref, 2)} AND ("edited_at" IS NULL OR "edited_at" <= $7)
       RETURNING ${columnList(em, MessageEntity)}`,
      [instanceId, refValue(ref), edit.text !== undefined, edit.text ?? null, edit.caption !== undefined, edit.caption ?? null, edit.at],
    );
    return rows[0] ? hydrate(em, MessageEntity, rows[0]) : null;
  }

  /**
   * One sender's reaction (an empty emoji removes it), applied atomically in the jsonb column. A reaction older
   * than the sender's stored one is ignored. Null when the message is unknown or the reaction stale.
   */
  async applyReaction(
    instanceId: string,
    ref: MessageRef,
    reaction: { senderJid: string; emoji: string; at: Date },
    tx?: Tx,
  ): Promise<MessageEntity | null> {
    const em = tx ?? this.ds.manager;
    const { rows } = await runSql(
      em,
      `UPDATE "messages" SET
         "reactions" = CASE WHEN $4::text = '' THEN "reactions" - $3::text
           ELSE "reactions" || jsonb_build_object($3::text, jsonb_build_object('emoji', $4::text, 'at', $5::bigint)) END,
         "updated_at" = now()
       WHERE "instance_id" = $1 AND ${refWhere(ref, 2)}
         AND COALESCE(("reactions" -> $3::text ->> 'at')::bigint, -1) <= $5::bigint
       RETURNING ${columnList(em, MessageEntity)}`,
      [instanceId, refValue(ref), reaction.senderJid, reaction.emoji, reaction.at.getTime()],
    );
    return rows[0] ? hydrate(em, MessageEntity, rows[0]) : null;
  }

  /** A chat's messages, newest first (same second: the later stored first); our actions on messages left out. */
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

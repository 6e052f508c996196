import type { EntityManager } from 'typeorm';
import { MessageEntity, statusRank } from '../entities/message.entity.js';
import { columnList, hydrate, insertParts, jsonParam, runSql, toParam } from '../sql.js';
import { inTransaction, type Tx } from '../transaction-runner.js';
import { recordInChatSql, recordOutgoingInChatsSql } from './chat-repository.js';
import { newMessageId, type NewOutgoingMessage, type NewStoredMessage, type StoredMessage } from './message-inputs.js';
import { MessageUpdates } from './message-updates.js';
import {
  appendedColumns,
  appendEventCtes,
  newWebhookDeliveryId,
  newWebhookEventRowId,
  readAppended,
  type AppendedEvent,
} from './webhook-event-repository.js';

/**
 * The messages table. Storing lives here (the API's accept, what WhatsApp reports, history); changes to stored
 * messages are MessageUpdates (message-updates.ts), lookups and lists MessageReads (message-reads.ts).
 */
export class MessageRepository extends MessageUpdates {
  /** acceptOutgoingMany's statement, built on first use (its text is fixed, so Postgres plans it once per connection). */
  private acceptMany: AcceptManyStatement | undefined;

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
   * acceptOutgoing for many messages in one statement (the group commit of accepts): each row is inserted `queued`
   * only when its instance belongs to its tenant, and recorded in its chat. The rows travel as one JSON parameter,
   * so the statement's text is fixed and Postgres plans it once per connection. Returns, per item in order, whether
   * it was inserted (false: the tenant has no such instance). Any failure, e.g. a WhatsApp id that is taken, fails
   * the whole statement and inserts nothing: the caller retries the items one by one to isolate it.
   */
  async acceptOutgoingMany(items: ReadonlyArray<{ tenantId: string; input: NewOutgoingMessage }>, tx?: Tx): Promise<boolean[]> {
    if (items.length === 0) return [];
    const em = tx ?? this.ds.manager;
    const { text, columns } = (this.acceptMany ??= acceptManyStatement(em));
    const ids = items.map(({ input }) => input.id ?? newMessageId());
    const rows = items.map(({ tenantId, input }, i) => {
      // ptt is the one NOT NULL column with a default among them: the statement inserts what it is given.
      const values: Record<string, unknown> = { ...input, id: ids[i], ptt: input.ptt ?? false, messageTimestamp: input.messageTimestamp ?? new Date() };
      const row: Record<string, unknown> = { tenant_id: tenantId };
      for (const c of columns) row[c.name] = values[c.prop] ?? null;
      return row;
    });
    const { rows: inserted } = await runSql<{ id: string }>(em, text, [jsonParam(rows)]);
    const found = new Set(inserted.map((r) => r.id));
    return ids.map((id) => found.has(id));
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
}

/** Every field of an accepted message: the columns of acceptOutgoingMany's JSON rows (a new field must be listed). */
const OUTGOING_FIELDS: Record<keyof NewOutgoingMessage, true> = {
  id: true,
  instanceId: true,
  waMessageId: true,
  chatJid: true,
  type: true,
  messageTimestamp: true,
  text: true,
  caption: true,
  mediaUrl: true,
  mediaMimetype: true,
  mediaFileName: true,
  mediaSize: true,
  mediaSha256: true,
  mediaStorageKey: true,
  mediaStatus: true,
  ptt: true,
  mentions: true,
  quotedWaMessageId: true,
  raw: true,
  content: true,
};

interface AcceptManyStatement {
  text: string;
  columns: Array<{ prop: string; name: string }>;
}

/** acceptOutgoingMany's statement, from the entity's columns (names and types). */
function acceptManyStatement(em: EntityManager): AcceptManyStatement {
  const metadata = em.connection.getMetadata(MessageEntity);
  const columns = Object.keys(OUTGOING_FIELDS).map((prop) => {
    const column = metadata.findColumnWithPropertyName(prop);
    if (!column) throw new Error(`messages has no column for ${prop}`);
    return { prop, name: column.databaseName, type: `${String(column.type)}${column.isArray ? '[]' : ''}` };
  });
  const text = `WITH r AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r("tenant_id" uuid, ${columns.map((c) => `"${c.name}" ${c.type}`).join(', ')})
     ),
     ins AS (
       INSERT INTO "messages" (${columns.map((c) => `"${c.name}"`).join(', ')}, "from_me", "status")
       SELECT ${columns.map((c) => `r."${c.name}"`).join(', ')}, true, 'queued'
       FROM r JOIN "instances" i ON i."id" = r."instance_id" AND i."tenant_id" = r."tenant_id"
       RETURNING *
     ),
     chat AS (${recordOutgoingInChatsSql('ins')})
     SELECT "id" FROM ins`;
  return { text, columns: columns.map(({ prop, name }) => ({ prop, name })) };
}

import { MessageEntity, type MessageStatus } from '../entities/message.entity.js';
import { columnList, hydrate, runSql } from '../sql.js';
import type { Tx } from '../transaction-runner.js';
import type { MediaPatch, MessageRef } from './message-inputs.js';
import { MessageReads } from './message-reads.js';
import { readStatusView, statusViewColumns, type MessageStatusView } from './message-status-view.js';
import { RANKS, refValue, refWhere, statusUpdateSql } from './message-sql.js';
import { appendedColumns, appendEventCtes, newWebhookDeliveryId, newWebhookEventRowId, readAppended, type AppendedEvent } from './webhook-event-repository.js';

/** Changes to stored messages: forward-only statuses (with their webhook event), reads, media progress, revokes, edits, reactions. */
export class MessageUpdates extends MessageReads {
  /**
   * Moves a message's status forward, never back: queued < sending < failed < sent < delivered < read < played
   * (so `failed` only follows queued or sending, and a late `delivered` after `read` changes nothing). Fills the
   * timestamps the move passes (jumping to `read` sets sentAt and deliveredAt too). When the status moved, its
   * `messages.update` webhook event is appended in the same statement: `{ key: { remoteJid, fromMe, id }, status,
   * messageId }` from the updated row (status `error` for failed, with `error` and `reason`), as the seed's
   * messages.update. Returns the message's status view (not the whole row) and the event; null when nothing
   * changed (unknown message, or not a step forward).
   */
  async updateStatusWithEvent(
    instanceId: string,
    ref: MessageRef,
    status: MessageStatus,
    options: { at?: Date; error?: string | null; errorCode?: string | null } = {},
    tx?: Tx,
  ): Promise<{ message: MessageStatusView; event: AppendedEvent } | null> {
    const em = tx ?? this.ds.manager;
    const key = `'key', json_build_object('remoteJid', src."chat_jid", 'fromMe', src."from_me", 'id', src."wa_message_id")`;
    const payload = `CASE WHEN src."status" = 'failed'
        THEN json_build_object(${key}, 'status', 'error', 'messageId', src."id", 'error', src."error", 'reason', src."error_code")
        ELSE json_build_object(${key}, 'status', src."status", 'messageId', src."id") END`;
    const { rows } = await runSql(
      em,
      `WITH upd AS (${statusUpdateSql(ref)} RETURNING *),
       ${appendEventCtes({ source: 'upd', eventId: '$7', event: "'messages.update'", payload, deliveryId: '$8' })}
       SELECT ${statusViewColumns(em, () => '"upd"')}, ${appendedColumns(em)}
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
    return { message: readStatusView(row), event };
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
}

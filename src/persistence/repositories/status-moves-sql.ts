import type { EntityManager } from 'typeorm';
import { statusViewColumns } from './message-status-view.js';
import { appendedColumns } from './webhook-event-repository.js';
import { RANKS } from './message-sql.js';

/**
 * The columns a status move writes. The returned message of each move takes them from that move's own state (the
 * row as it stood right after the move), the other columns from the updated row.
 */
const MOVED_COLUMNS = new Set(['status', 'sent_at', 'delivered_at', 'read_at', 'played_at', 'failed_at', 'error', 'error_code']);

const rank = (status: string) => `array_position(${RANKS}, ${status})`;

/**
 * One statement that applies many status moves, each exactly as MessageUpdates.updateStatusWithEvent would in the
 * order given. `$1` is a JSON array of `{ idx, instance_id, ref_id | ref_wa, status, at, error, error_code,
 * event_id, delivery_id }`. Per message the moves run in order: a move applies when its status ranks above the
 * stored one and every earlier move of that message in the batch (what the sequential calls would see), and each
 * applied move leaves its own row state (timestamps the move passes filled once, `error` only with `failed`) and
 * its own `messages.update` event. The messages are locked first (in id order, so concurrent batches do not
 * deadlock) and read as of that lock; each message is updated once, to its last applied move. Then the sequence
 * rows (in instance order, after every message update): each instance's counter grows by its number of events,
 * which take consecutive numbers in move order. Events and deliveries are those of `appendEventCtes`.
 * One result row per input row, by `idx`; its event columns are null when the move changed nothing.
 */
export function statusMovesSql(em: EntityManager): string {
  const messageColumns = statusViewColumns(em, (column) => (MOVED_COLUMNS.has(column) ? 'v' : 'u'));
  const filled = (step: string, column: string) =>
    `COALESCE(s."cur_${column}", (array_agg(s."at") FILTER (WHERE s."rank" >= ${rank(`'${step}'`)}) OVER w)[1]) AS "${column}"`;
  const key = `'key', json_build_object('remoteJid', u."chat_jid", 'fromMe', u."from_me", 'id', u."wa_message_id")`;
  const payload = `CASE WHEN v."status" = 'failed'
        THEN json_build_object(${key}, 'status', 'error', 'messageId', u."id", 'error', v."error", 'reason', v."error_code")
        ELSE json_build_object(${key}, 'status', v."status", 'messageId', u."id") END`;
  return `WITH input AS (
      SELECT * FROM json_to_recordset($1::json) AS x("idx" integer, "instance_id" text, "ref_id" text, "ref_wa" text,
        "status" text, "at" timestamptz, "error" text, "error_code" text, "event_id" text, "delivery_id" text)
    ),
    matched AS (
      SELECT x.*, m."id" AS "message_id" FROM input x
      JOIN "messages" m ON m."instance_id" = x."instance_id" AND m."id" = x."ref_id"
      UNION ALL
      SELECT x.*, m."id" AS "message_id" FROM input x
      JOIN "messages" m ON m."instance_id" = x."instance_id" AND m."wa_message_id" = x."ref_wa"
      WHERE x."ref_id" IS NULL
    ),
    cur AS (
      SELECT m."id", m."status", m."sent_at", m."delivered_at", m."read_at", m."played_at", m."failed_at"
      FROM "messages" m WHERE m."id" IN (SELECT "message_id" FROM matched)
      ORDER BY m."id" FOR UPDATE
    ),
    steps AS (
      SELECT x.*, c."sent_at" AS "cur_sent_at", c."delivered_at" AS "cur_delivered_at", c."read_at" AS "cur_read_at",
        c."played_at" AS "cur_played_at", c."failed_at" AS "cur_failed_at", ${rank('x."status"')} AS "rank",
        GREATEST(${rank('c."status"')}, max(${rank('x."status"')}) OVER (
          PARTITION BY x."message_id" ORDER BY x."idx" ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) AS "before_rank"
      FROM matched x JOIN cur c ON c."id" = x."message_id"
    ),
    moved AS (
      SELECT s."idx", s."instance_id", s."message_id", s."status", s."event_id", s."delivery_id",
        CASE WHEN s."status" = 'failed' THEN s."error" END AS "error",
        CASE WHEN s."status" = 'failed' THEN s."error_code" END AS "error_code",
        ${filled('sent', 'sent_at')}, ${filled('delivered', 'delivered_at')},
        ${filled('read', 'read_at')}, ${filled('played', 'played_at')},
        COALESCE((array_agg(s."at") FILTER (WHERE s."status" = 'failed') OVER w)[1], s."cur_failed_at") AS "failed_at"
      FROM steps s WHERE s."rank" > s."before_rank"
      WINDOW w AS (PARTITION BY s."message_id" ORDER BY s."idx" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
    ),
    final AS (
      SELECT DISTINCT ON ("message_id") * FROM moved ORDER BY "message_id", "idx" DESC
    ),
    upd AS (
      UPDATE "messages" m SET "status" = f."status", "sent_at" = f."sent_at", "delivered_at" = f."delivered_at",
        "read_at" = f."read_at", "played_at" = f."played_at", "failed_at" = f."failed_at",
        "error" = f."error", "error_code" = f."error_code", "updated_at" = now()
      FROM final f
      WHERE m."id" = f."message_id" AND ${rank('m."status"')} < ${rank('f."status"')}
      RETURNING m.*
    ),
    numbered AS (
      SELECT v.*, count(*) OVER (PARTITION BY v."instance_id") AS "n",
        row_number() OVER (PARTITION BY v."instance_id" ORDER BY v."idx") AS "k"
      FROM moved v WHERE v."message_id" IN (SELECT "id" FROM upd)
    ),
    ev_seq AS (
      INSERT INTO "instance_event_sequences" AS s ("instance_id", "last_sequence")
      SELECT "instance_id", count(*) FROM numbered GROUP BY "instance_id" ORDER BY "instance_id"
      ON CONFLICT ("instance_id") DO UPDATE SET "last_sequence" = s."last_sequence" + EXCLUDED."last_sequence"
      RETURNING s."instance_id", s."last_sequence"
    ),
    ev AS (
      INSERT INTO "webhook_events" ("id", "instance_id", "instance_name", "event", "sequence", "payload", "created_at")
      SELECT v."event_id", i."id", i."name", 'messages.update', q."last_sequence" - v."n" + v."k", ${payload}, clock_timestamp()
      FROM numbered v JOIN upd u ON u."id" = v."message_id" JOIN ev_seq q ON q."instance_id" = v."instance_id"
        JOIN "instances" i ON i."id" = q."instance_id"
      ORDER BY v."instance_id", v."k"
      RETURNING *
    ),
    ev_dl AS (
      INSERT INTO "webhook_deliveries" ("id", "event_id", "instance_id", "event", "url", "status", "next_attempt_at")
      SELECT v."delivery_id", ev."id", ev."instance_id", ev."event", i."webhook_url", 'pending', clock_timestamp()
      FROM ev JOIN numbered v ON v."event_id" = ev."id" JOIN "instances" i ON i."id" = ev."instance_id"
      WHERE i."webhook_url" IS NOT NULL
        AND (i."webhook_events" IS NULL OR cardinality(i."webhook_events") = 0 OR ev."event" = ANY (i."webhook_events"))
      RETURNING *
    )
    SELECT x."idx" AS "move_idx", ${messageColumns}, ${appendedColumns(em)}
    FROM input x LEFT JOIN numbered v ON v."idx" = x."idx" LEFT JOIN upd u ON u."id" = v."message_id"
      LEFT JOIN ev ON ev."id" = v."event_id" LEFT JOIN ev_dl ON ev_dl."event_id" = ev."id"
    ORDER BY x."idx"`;
}

import { pooledRandomText } from '../../crypto/random-pool.js';
import type { DataSource, EntityManager } from 'typeorm';
import { WebhookDeliveryEntity } from '../entities/webhook-delivery.entity.js';
import { WebhookEventEntity } from '../entities/webhook-event.entity.js';
import { columnList, hydrate, jsonParam, runSql } from '../sql.js';
import type { Tx } from '../transaction-runner.js';

export interface NewWebhookEvent {
  instanceId: string;
  /** connection.update, messages.upsert, ... */
  event: string;
  /** The body's `data`. */
  data: unknown;
  /** Defaults to a new `evt_` id. */
  id?: string;
}

export interface AppendedEvent {
  event: WebhookEventEntity;
  /** One per target URL the instance subscribes with (none without a webhook URL or subscription). */
  deliveries: WebhookDeliveryEntity[];
}

/** `evt_` + 20 random url-safe characters (the same shape as the webhook service's ids). */
export function newWebhookEventRowId(): string {
  return `evt_${pooledRandomText(15, 'base64url')}`;
}

/** `whd_` + 16 random url-safe characters. */
export function newWebhookDeliveryId(): string {
  return `whd_${pooledRandomText(12, 'base64url')}`;
}

/** The webhook outbox: events in per-instance sequence, each with its deliveries. */
export class WebhookEventRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Records an event in `tx` (the transaction that stores its cause; without one, on its own) in one statement:
   * takes the instance's next sequence number, inserts the event and a pending delivery to the instance's webhook
   * URL when it has one and subscribes to this event. The sequence row stays locked until the transaction ends,
   * so other writers of the same instance wait: call this last in a transaction. A rollback returns the number.
   * Causes that are one statement themselves should put `appendEventCtes` in that statement instead.
   */
  async append(input: NewWebhookEvent, tx?: Tx): Promise<AppendedEvent> {
    const em = tx ?? this.ds.manager;
    const { rows } = await runSql(
      em,
      `WITH src AS (SELECT $1::text AS "instance_id"),
       ${appendEventCtes({ source: 'src', eventId: '$2', event: '$3', payload: '$4::json', deliveryId: '$5' })}
       SELECT ${appendedColumns(em)} FROM ev LEFT JOIN ev_dl ON true`,
      [input.instanceId, input.id ?? newWebhookEventRowId(), input.event, jsonParam(input.data ?? {}), newWebhookDeliveryId()],
    );
    const appended = readAppended(em, rows[0]);
    if (!appended) throw new Error(`instance ${input.instanceId} not found`);
    return appended;
  }

  findById(instanceId: string, id: string): Promise<WebhookEventEntity | null> {
    return this.ds.getRepository(WebhookEventEntity).findOneBy({ instanceId, id });
  }

  /** Events after `afterSequence`, oldest first (SSE resume with Last-Event-ID). */
  listAfter(instanceId: string, afterSequence: number, limit = 100): Promise<WebhookEventEntity[]> {
    return this.ds
      .getRepository(WebhookEventEntity)
      .createQueryBuilder('e')
      .where('e.instanceId = :instanceId AND e.sequence > :afterSequence', { instanceId, afterSequence })
      .orderBy('e.sequence', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** The last sequence number given out (0 before the first event). */
  async lastSequence(instanceId: string): Promise<number> {
    const { rows } = await runSql<{ last: string }>(
      this.ds.manager,
      `SELECT "last_sequence" AS last FROM "instance_event_sequences" WHERE "instance_id" = $1`,
      [instanceId],
    );
    return rows[0] ? Number(rows[0].last) : 0;
  }

  /** The last event sequence of each of `instanceIds` (absent: none yet), in one query (live streams' fallback check). */
  async lastSequences(instanceIds: string[]): Promise<Map<string, number>> {
    if (instanceIds.length === 0) return new Map();
    const { rows } = await runSql<{ id: string; last: string }>(
      this.ds.manager,
      `SELECT "instance_id" AS id, "last_sequence" AS last FROM "instance_event_sequences" WHERE "instance_id" = ANY($1::varchar[])`,
      [instanceIds],
    );
    return new Map(rows.map((r) => [r.id, Number(r.last)]));
  }

  /**
   * How many times each instance's connection came up (`connection.update` events with status `connected`) since
   * `since`: pairings, restarts and reconnects after a drop that changed the status.
   */
  async connectedCountsSince(since: Date): Promise<Map<string, number>> {
    const { rows } = await runSql<{ instance_id: string; n: string }>(
      this.ds.manager,
      `SELECT "instance_id", count(*) AS n FROM "webhook_events"
       WHERE "created_at" >= $1 AND "event" = 'connection.update' AND "payload"->>'status' = 'connected'
       GROUP BY "instance_id"`,
      [since],
    );
    return new Map(rows.map((r) => [r.instance_id, Number(r.n)]));
  }

  /**
   * Deletes events older than `before` whose deliveries all succeeded (or that had none); failed deliveries are
   * the dead letters and stay. Returns how many events went.
   */
  async prune(before: Date, limit = 10_000): Promise<number> {
    const { rowCount } = await runSql(
      this.ds.manager,
      `DELETE FROM "webhook_events" WHERE "id" IN (
         SELECT e."id" FROM "webhook_events" e
         WHERE e."created_at" < $1
           AND NOT EXISTS (SELECT 1 FROM "webhook_deliveries" d WHERE d."event_id" = e."id" AND d."status" <> 'succeeded')
         LIMIT $2)`,
      [before, limit],
    );
    return rowCount;
  }
}

/**
 * SQL of the CTEs `ev_seq`, `ev` and `ev_dl` that append one webhook event (and its delivery, when the instance
 * has a webhook URL that subscribes to it) for the row of `source`, a CTE earlier in the same statement that
 * yields at most one row with an `"instance_id"` column. An empty `source` appends nothing, so a statement can
 * record an event only when its cause changed something (`UPDATE ... RETURNING` as the source). The other fields
 * are SQL expressions (parameters such as `$3`, or expressions over `src.` columns for the payload). One
 * statement, so the instance's sequence row is locked only until it commits (autocommit) or its transaction ends.
 */
export function appendEventCtes(p: { source: string; eventId: string; event: string; payload: string; deliveryId: string }): string {
  return `ev_seq AS (
      INSERT INTO "instance_event_sequences" AS s ("instance_id", "last_sequence")
      SELECT src."instance_id", 1 FROM ${p.source} src
      ON CONFLICT ("instance_id") DO UPDATE SET "last_sequence" = s."last_sequence" + 1
      RETURNING s."instance_id", s."last_sequence"
    ),
    ev AS (
      INSERT INTO "webhook_events" ("id", "instance_id", "instance_name", "event", "sequence", "payload", "created_at")
      SELECT ${p.eventId}, i."id", i."name", ${p.event}, q."last_sequence", ${p.payload}, clock_timestamp()
      FROM ${p.source} src JOIN ev_seq q ON q."instance_id" = src."instance_id" JOIN "instances" i ON i."id" = q."instance_id"
      RETURNING *
    ),
    ev_dl AS (
      INSERT INTO "webhook_deliveries" ("id", "event_id", "instance_id", "event", "url", "status", "next_attempt_at")
      SELECT ${p.deliveryId}, ev."id", ev."instance_id", ev."event", i."webhook_url", 'pending', clock_timestamp()
      FROM ev JOIN "instances" i ON i."id" = ev."instance_id"
      WHERE i."webhook_url" IS NOT NULL
        AND (i."webhook_events" IS NULL OR cardinality(i."webhook_events") = 0 OR ev."event" = ANY (i."webhook_events"))
      RETURNING *
    )`;
}

/** The select list for `ev` and `ev_dl` (after `appendEventCtes`), read back with `readAppended`. */
export function appendedColumns(em: EntityManager): string {
  return `${columnList(em, WebhookEventEntity, 'ev', 'ev_')}, ${columnList(em, WebhookDeliveryEntity, 'ev_dl', 'dl_')}`;
}

/** The event and its delivery from a row selected with `appendedColumns` (null when no event was appended). */
export function readAppended(em: EntityManager, row: Record<string, unknown> | undefined): AppendedEvent | null {
  if (!row || row.ev_id === null || row.ev_id === undefined) return null;
  const event = hydrate(em, WebhookEventEntity, row, 'ev_');
  const deliveries = row.dl_id === null || row.dl_id === undefined ? [] : [hydrate(em, WebhookDeliveryEntity, row, 'dl_')];
  return { event, deliveries };
}

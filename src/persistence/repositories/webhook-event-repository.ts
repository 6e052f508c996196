import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { WebhookDeliveryEntity } from '../entities/webhook-delivery.entity.js';
import { WebhookEventEntity } from '../entities/webhook-event.entity.js';
import { columnList, hydrate, jsonParam, runSql } from '../sql.js';
import { inTransaction, type Tx } from '../transaction-runner.js';

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
  return `evt_${randomBytes(15).toString('base64url')}`;
}

/** `whd_` + 16 random url-safe characters. */
export function newWebhookDeliveryId(): string {
  return `whd_${randomBytes(12).toString('base64url')}`;
}

/** The webhook outbox: events in per-instance sequence, each with its deliveries. */
export class WebhookEventRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Records an event in `tx` (the transaction that stores its cause; without one, in its own): takes the instance's
   * next sequence number, inserts the event and a pending delivery to the instance's webhook URL when it has one
   * and subscribes to this event. The sequence row stays locked until `tx` ends, so other writers of the same
   * instance wait: call this last in the transaction. A rollback returns the number (no gaps).
   */
  append(input: NewWebhookEvent, tx?: Tx): Promise<AppendedEvent> {
    return inTransaction(this.ds, tx, async (em) => {
      const inserted = await runSql(
        em,
        `WITH seq AS (
           INSERT INTO "instance_event_sequences" AS s ("instance_id", "last_sequence") VALUES ($1, 1)
           ON CONFLICT ("instance_id") DO UPDATE SET "last_sequence" = s."last_sequence" + 1
           RETURNING "last_sequence"
         )
         INSERT INTO "webhook_events" ("id", "instance_id", "instance_name", "event", "sequence", "payload", "created_at")
         SELECT $2, i."id", i."name", $3, seq."last_sequence", $4::json, clock_timestamp()
         FROM "instances" i, seq WHERE i."id" = $1
         RETURNING ${columnList(em, WebhookEventEntity)}`,
        [input.instanceId, input.id ?? newWebhookEventRowId(), input.event, jsonParam(input.data ?? {})],
      );
      const row = inserted.rows[0];
      if (!row) throw new Error(`instance ${input.instanceId} not found`);
      const event = hydrate(em, WebhookEventEntity, row);
      const deliveries = await runSql(
        em,
        `INSERT INTO "webhook_deliveries" ("id", "event_id", "instance_id", "event", "url", "status", "next_attempt_at")
         SELECT $1, $2, i."id", $3, i."webhook_url", 'pending', clock_timestamp()
         FROM "instances" i
         WHERE i."id" = $4 AND i."webhook_url" IS NOT NULL
           AND (i."webhook_events" IS NULL OR cardinality(i."webhook_events") = 0 OR $3 = ANY (i."webhook_events"))
         RETURNING ${columnList(em, WebhookDeliveryEntity)}`,
        [newWebhookDeliveryId(), event.id, event.event, input.instanceId],
      );
      return { event, deliveries: deliveries.rows.map((r) => hydrate(em, WebhookDeliveryEntity, r)) };
    });
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

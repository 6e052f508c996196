import type { DataSource } from 'typeorm';
import { WebhookDeliveryEntity, type WebhookDeliveryStatus } from '../entities/webhook-delivery.entity.js';
import { WebhookEventEntity } from '../entities/webhook-event.entity.js';
import { paginate, type Page, type PageRequest } from '../pagination.js';
import { columnList, hydrate, runSql } from '../sql.js';

/** A delivery a worker now holds, with the event whose body it sends. */
export interface ClaimedDelivery {
  delivery: WebhookDeliveryEntity;
  event: WebhookEventEntity;
  /** The instance's webhook secret as stored (sealed; null when it has none yet), read in the claim itself. */
  sealedSecret: string | null;
}

export interface DeliveryListFilter {
  status?: WebhookDeliveryStatus;
  event?: string;
}

export type RedeliverResult =
  | { kind: 'reset'; delivery: WebhookDeliveryEntity }
  | { kind: 'not_found' }
  /** A worker is sending it right now. */
  | { kind: 'in_flight'; delivery: WebhookDeliveryEntity };

export interface AttemptRecord {
  /** The receiver's HTTP status, when it answered. */
  statusCode?: number | null;
  /** Why the attempt did not succeed (timeout, connection refused, "HTTP 500"), kept short. */
  error?: string | null;
  /** How long the attempt took. */
  durationMs?: number | null;
  /** The start of the receiver's answer (kept in the attempt log). */
  responseBody?: string | null;
}

/** One attempt of a delivery, as its attempt log keeps it. */
export interface DeliveryAttempt {
  /** When the attempt started (ISO 8601). */
  at: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number | null;
  responseBody: string | null;
}

/** Attempts kept per delivery: the oldest is dropped past this. */
export const ATTEMPT_LOG_SIZE = 20;

/** The attempt log of the row aliased `d` with `entry` (a jsonb expression) appended, the oldest dropped past the size. */
const appendAttempt = (entry: string) =>
  `(CASE WHEN jsonb_array_length(d."attempt_log") >= ${ATTEMPT_LOG_SIZE} THEN d."attempt_log" - 0 ELSE d."attempt_log" END) || jsonb_build_array(${entry})`;

/** A jsonb attempt entry; the other arguments are SQL expressions. */
const attemptEntry = (statusCode: string, error: string, durationMs: string, responseBody: string) =>
  `jsonb_build_object('at', to_jsonb(d."last_attempt_at"), 'statusCode', ${statusCode}, 'error', ${error}, 'durationMs', ${durationMs}, 'responseBody', ${responseBody})`;

/** The authority (`host[:port]`) of a URL, as SQL's `substring(url from HOST_PATTERN)` extracts it. */
const HOST_PATTERN = '^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]+)';

/** The per-host fairness key of a delivery URL: its authority, lower-cased (the same key claimDue's `skipHosts` takes). */
export function deliveryHostKey(url: string): string {
  return (new RegExp(HOST_PATTERN).exec(url)?.[1] ?? '').toLowerCase();
}

const CLAIMABLE = `d."status" IN ('pending', 'delivering') AND d."next_attempt_at" <= now()`;

/** What claimDue takes: how many, for how long, and which hosts to leave out. */
export interface ClaimOptions {
  limit: number;
  leaseMs: number;
  skipHosts?: readonly string[];
}

/** A 2xx to record: the delivery, the claim token it was attempted under, the status code (and how long it took). */
export interface SuccessRecord {
  id: string;
  claimToken: string;
  statusCode: number;
  durationMs?: number;
}

/**
 * Records successes, with the ids, claim tokens and status codes as the parameters `$<first>` to `$<first + 2>`
 * (see successParams); returns the ids recorded (a lapsed claim is not). Empty arrays record nothing.
 */
const markSucceededSql = (first: number) => `UPDATE "webhook_deliveries" AS d SET "status" = 'succeeded', "delivered_at" = clock_timestamp(),
    "next_attempt_at" = NULL, "last_status_code" = i.code, "last_error" = NULL, "claim_token" = NULL, "updated_at" = clock_timestamp(),
    "attempt_log" = ${appendAttempt(attemptEntry('i.code', 'NULL::text', 'i.dur', 'NULL::text'))}
  FROM unnest($${first}::text[], $${first + 1}::uuid[], $${first + 2}::int[], $${first + 3}::int[]) AS i(id, token, code, dur)
  WHERE d."id" = i.id AND d."claim_token" = i.token AND d."status" = 'delivering'
  RETURNING d."id"`;

function successParams(items: readonly SuccessRecord[]): unknown[] {
  return [items.map((i) => i.id), items.map((i) => i.claimToken), items.map((i) => i.statusCode), items.map((i) => i.durationMs ?? null)];
}

/**
 * Delivery state. Workers claim rows (several workers and nodes may share the table: SKIP LOCKED), hold them for
 * a lease (`nextAttemptAt` while `delivering`; a lapsed lease makes the row claimable again) and record the
 * outcome with the claim token they got; an outcome recorded with a stale token is ignored.
 */
export class WebhookDeliveryRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Claims up to `limit` due deliveries, oldest due first; rows other claimers hold are skipped, not waited for.
   * `skipHosts` (keys from `deliveryHostKey`) leaves out targets the caller already keeps busy (per-host fairness).
   */
  async claimDue(options: ClaimOptions): Promise<ClaimedDelivery[]> {
    return (await this.markSucceededAndClaimDue([], options)).claimed;
  }

  /**
   * markManySucceeded and claimDue in one statement (a busy runner records the answers that came in and takes the
   * next deliveries in a single round trip). `recorded`: the ids of `succeeded` that were recorded.
   */
  async markSucceededAndClaimDue(
    succeeded: readonly SuccessRecord[],
    options: ClaimOptions,
  ): Promise<{ recorded: Set<string>; claimed: ClaimedDelivery[] }> {
    const em = this.ds.manager;
    const { rows } = await runSql(
      em,
      `WITH done AS (${markSucceededSql(4)}),
       due AS (
         SELECT d."id" FROM "webhook_deliveries" d WHERE ${CLAIMABLE}
           AND NOT (coalesce(lower(substring(d."url" from '${HOST_PATTERN}')), '') = ANY ($3::text[]))
         ORDER BY d."next_attempt_at", d."id" LIMIT $2 FOR UPDATE SKIP LOCKED
       ),
       claimed AS (
         UPDATE "webhook_deliveries" d SET
           "status" = 'delivering',
           "attempts" = d."attempts" + 1,
           "claim_token" = gen_random_uuid(),
           "last_attempt_at" = clock_timestamp(),
           "next_attempt_at" = clock_timestamp() + make_interval(secs => $1::double precision / 1000),
           "updated_at" = clock_timestamp()
         FROM due WHERE d."id" = due."id"
         RETURNING d.*
       ),
       taken AS (
         SELECT ${columnList(em, WebhookDeliveryEntity, 'claimed', 'd_')}, ${columnList(em, WebhookEventEntity, 'e', 'e_')},
           i."webhook_secret" AS "sealed_secret"
         FROM claimed JOIN "webhook_events" e ON e."id" = claimed."event_id"
         LEFT JOIN "instances" i ON i."id" = claimed."instance_id"
       )
       SELECT taken.*, marks."done_ids"
       FROM (SELECT coalesce(array_agg("id"), '{}') AS "done_ids" FROM done) marks
       LEFT JOIN taken ON true
       ORDER BY taken."d_nextAttemptAt", taken."e_sequence"`,
      [options.leaseMs, options.limit, [...(options.skipHosts ?? [])], ...successParams(succeeded)],
    );
    const recorded = new Set<string>((rows[0]?.done_ids as string[] | undefined) ?? []);
    const claimed = rows
      .filter((r) => r.d_id !== null && r.d_id !== undefined)
      .map((r) => ({
        delivery: hydrate(em, WebhookDeliveryEntity, r, 'd_'),
        event: hydrate(em, WebhookEventEntity, r, 'e_'),
        sealedSecret: (r.sealed_secret as string | null | undefined) ?? null,
      }));
    return { recorded, claimed };
  }

  /** A 2xx came back. False when the claim was lost (lease lapsed and someone else took it). */
  async markSucceeded(id: string, claimToken: string, attempt: { statusCode: number }): Promise<boolean> {
    return (await this.markManySucceeded([{ id, claimToken, statusCode: attempt.statusCode }])).has(id);
  }

  /**
   * markSucceeded for many deliveries in one statement (a runner's answers that came in together). Returns the
   * ids that were recorded: a delivery whose claim lapsed (taken again meanwhile) is not among them.
   */
  async markManySucceeded(items: readonly SuccessRecord[]): Promise<Set<string>> {
    if (items.length === 0) return new Set();
    const { rows } = await runSql<{ id: string }>(this.ds.manager, markSucceededSql(1), successParams(items));
    return new Set(rows.map((r) => r.id));
  }

  /** Try again after `delayMs` (backoff or Retry-After). */
  markRetry(id: string, claimToken: string, attempt: AttemptRecord & { delayMs: number }): Promise<boolean> {
    return this.finish(
      id,
      claimToken,
      `"status" = 'pending', "next_attempt_at" = clock_timestamp() + make_interval(secs => $7::double precision / 1000)`,
      attempt,
      [attempt.delayMs],
    );
  }

  /** Given up: a non-retryable answer or the last attempt. The row stays as the dead letter. */
  markFailed(id: string, claimToken: string, attempt: AttemptRecord): Promise<boolean> {
    return this.finish(id, claimToken, `"status" = 'failed', "next_attempt_at" = NULL`, attempt);
  }

  private async finish(
    id: string,
    claimToken: string,
    set: string,
    attempt: AttemptRecord,
    extra: unknown[] = [],
  ): Promise<boolean> {
    const { rowCount } = await runSql(
      this.ds.manager,
      `UPDATE "webhook_deliveries" AS d SET ${set},
         "last_status_code" = $3, "last_error" = $4, "claim_token" = NULL, "updated_at" = clock_timestamp(),
         "attempt_log" = ${appendAttempt(attemptEntry('$3::int', '$4::text', '$5::int', '$6::text'))}
       WHERE d."id" = $1 AND d."claim_token" = $2::uuid AND d."status" = 'delivering'`,
      [id, claimToken, attempt.statusCode ?? null, attempt.error ?? null, attempt.durationMs ?? null, attempt.responseBody ?? null, ...extra],
    );
    return rowCount === 1;
  }

  /** The attempts of a delivery, oldest first (the last ATTEMPT_LOG_SIZE); null when the instance has no such delivery. */
  async attemptLog(instanceId: string, id: string): Promise<DeliveryAttempt[] | null> {
    const { rows } = await runSql<{ log: DeliveryAttempt[] }>(
      this.ds.manager,
      `SELECT "attempt_log" AS log FROM "webhook_deliveries" WHERE "instance_id" = $1 AND "id" = $2`,
      [instanceId, id],
    );
    return rows[0]?.log ?? null;
  }

  findForInstance(instanceId: string, id: string): Promise<WebhookDeliveryEntity | null> {
    return this.ds.getRepository(WebhookDeliveryEntity).findOneBy({ instanceId, id });
  }

  /** The delivery log of an instance, newest first. */
  listByInstance(instanceId: string, filter: DeliveryListFilter = {}, page: PageRequest = {}): Promise<Page<WebhookDeliveryEntity>> {
    const query = this.ds
      .getRepository(WebhookDeliveryEntity)
      .createQueryBuilder('d')
      .where('d.instanceId = :instanceId', { instanceId });
    if (filter.status) query.andWhere('d.status = :status', { status: filter.status });
    if (filter.event) query.andWhere('d.event = :event', { event: filter.event });
    query.orderBy('d.createdAt', 'DESC').addOrderBy('d.id', 'DESC');
    return paginate(query, page);
  }

  /**
   * Makes a delivery pending again, due now, with a fresh attempt budget (redeliver). Refused while a worker holds
   * it. The event keeps its id and sequence, so the receiver can tell it is the same event.
   */
  async resetForRedelivery(instanceId: string, id: string): Promise<RedeliverResult> {
    const em = this.ds.manager;
    const { rows } = await runSql(
      em,
      `UPDATE "webhook_deliveries" SET "status" = 'pending', "attempts" = 0, "next_attempt_at" = clock_timestamp(),
         "delivered_at" = NULL, "claim_token" = NULL, "updated_at" = clock_timestamp()
       WHERE "instance_id" = $1 AND "id" = $2 AND "status" <> 'delivering'
       RETURNING ${columnList(em, WebhookDeliveryEntity)}`,
      [instanceId, id],
    );
    if (rows[0]) return { kind: 'reset', delivery: hydrate(em, WebhookDeliveryEntity, rows[0]) };
    const current = await this.findForInstance(instanceId, id);
    return current ? { kind: 'in_flight', delivery: current } : { kind: 'not_found' };
  }

  /** Deliveries per status for an instance (dashboards, tests). */
  async countByStatus(instanceId: string): Promise<Record<WebhookDeliveryStatus, number>> {
    const { rows } = await runSql<{ status: WebhookDeliveryStatus; count: number }>(
      this.ds.manager,
      `SELECT "status", COUNT(*)::int AS count FROM "webhook_deliveries" WHERE "instance_id" = $1 GROUP BY "status"`,
      [instanceId],
    );
    const counts: Record<WebhookDeliveryStatus, number> = { pending: 0, delivering: 0, succeeded: 0, failed: 0 };
    for (const r of rows) counts[r.status] = r.count;
    return counts;
  }
}

import type { DataSource } from 'typeorm';
import { IdempotencyKeyEntity } from '../entities/idempotency-key.entity.js';
import { jsonParam, runSql } from '../sql.js';
import type { Tx } from '../transaction-runner.js';

export interface IdempotencyScope {
  tenantId: string;
  instanceId: string;
  key: string;
}

export interface IdempotentResponse extends IdempotencyScope {
  /** Fingerprint of the request (method, path, body) the answer belongs to. */
  requestHash: string;
  responseStatus: number;
  responseBody: unknown;
  /** How long retries get this answer. */
  ttlMs: number;
}

/**
 * `Idempotency-Key` answers. Save the answer in the transaction that does the work (e.g. with the queued message):
 * when `save` reports that a live answer already exists, roll that transaction back and return `find`'s answer.
 */
export class IdempotencyRepository {
  constructor(private readonly ds: DataSource) {}

  /** The stored answer for this key, unless it expired. */
  find(scope: IdempotencyScope, tx?: Tx): Promise<IdempotencyKeyEntity | null> {
    return (tx ?? this.ds.manager)
      .getRepository(IdempotencyKeyEntity)
      .createQueryBuilder('k')
      .where('k.tenantId = :tenantId AND k.instanceId = :instanceId AND k.key = :key', scope)
      .andWhere('k.expiresAt > now()')
      .getOne();
  }

  /**
   * Stores the answer; false when a live one exists already (a concurrent first request waits here until the
   * other one's transaction ends). An expired answer is replaced.
   */
  async save(input: IdempotentResponse, tx?: Tx): Promise<boolean> {
    const { rowCount } = await runSql(
      tx ?? this.ds.manager,
      `INSERT INTO "idempotency_keys" AS k
         ("tenant_id", "instance_id", "key", "request_hash", "response_status", "response_body", "created_at", "expires_at")
       VALUES ($1, $2, $3, $4, $5, $6::json, now(), now() + make_interval(secs => $7::double precision / 1000))
       ON CONFLICT ("tenant_id", "instance_id", "key") DO UPDATE SET
         "request_hash" = EXCLUDED."request_hash", "response_status" = EXCLUDED."response_status",
         "response_body" = EXCLUDED."response_body", "created_at" = EXCLUDED."created_at", "expires_at" = EXCLUDED."expires_at"
       WHERE k."expires_at" <= now()
       RETURNING 1`,
      [
        input.tenantId,
        input.instanceId,
        input.key,
        input.requestHash,
        input.responseStatus,
        jsonParam(input.responseBody ?? null) ?? 'null',
        input.ttlMs,
      ],
    );
    return rowCount === 1;
  }

  /** Deletes up to `limit` expired answers; returns how many. */
  async deleteExpired(limit = 10_000): Promise<number> {
    const { rowCount } = await runSql(
      this.ds.manager,
      `DELETE FROM "idempotency_keys" WHERE ctid IN (
         SELECT ctid FROM "idempotency_keys" WHERE "expires_at" <= now() LIMIT $1)`,
      [limit],
    );
    return rowCount;
  }
}

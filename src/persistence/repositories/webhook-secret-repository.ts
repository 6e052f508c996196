import type { DataSource } from 'typeorm';
import { runSql } from '../sql.js';

/** The sealed (encrypted) webhook secret column of instances, for the webhook module alone. */
export class WebhookSecretRepository {
  constructor(private readonly ds: DataSource) {}

  /** Sealed secrets by instance id (null when the instance has none yet); missing ids are absent from the map. */
  async findSealed(instanceIds: readonly string[]): Promise<Map<string, string | null>> {
    if (instanceIds.length === 0) return new Map();
    const { rows } = await runSql<{ id: string; secret: string | null }>(
      this.ds.manager,
      `SELECT "id", "webhook_secret" AS secret FROM "instances" WHERE "id" = ANY($1::text[])`,
      [[...new Set(instanceIds)]],
    );
    return new Map(rows.map((r) => [r.id, r.secret]));
  }

  /** Replaces the secret of a tenant's instance; false when there is no such instance. */
  async replace(instanceId: string, tenantId: string, sealed: string): Promise<boolean> {
    const { rowCount } = await runSql(
      this.ds.manager,
      `UPDATE "instances" SET "webhook_secret" = $3, "updated_at" = now() WHERE "id" = $1 AND "tenant_id" = $2`,
      [instanceId, tenantId, sealed],
    );
    return rowCount === 1;
  }

  /** Sets a secret only where none is set yet (instances created before secrets existed); returns the one that stands. */
  async setIfMissing(instanceId: string, sealed: string): Promise<string | null> {
    await runSql(this.ds.manager, `UPDATE "instances" SET "webhook_secret" = $2 WHERE "id" = $1 AND "webhook_secret" IS NULL`, [
      instanceId,
      sealed,
    ]);
    return (await this.findSealed([instanceId])).get(instanceId) ?? null;
  }
}

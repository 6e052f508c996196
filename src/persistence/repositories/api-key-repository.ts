import type { DataSource } from 'typeorm';
import { ApiKeyEntity } from '../entities/api-key.entity.js';
import type { UserRole } from '../entities/user.entity.js';
import { runSql } from '../sql.js';

/** Who a key acts as: the key, its tenant, and the user who created it with that user's role now. */
export interface ApiKeyPrincipalRow {
  keyId: string;
  tenantId: string;
  userId: string;
  role: UserRole;
}

export class ApiKeyRepository {
  constructor(private readonly ds: DataSource) {}

  create(data: { tenantId: string; userId: string; name: string; prefix: string; keyHash: string }): Promise<ApiKeyEntity> {
    const repo = this.ds.getRepository(ApiKeyEntity);
    return repo.save(repo.create({ ...data, lastUsedAt: null }));
  }

  listByTenant(tenantId: string): Promise<ApiKeyEntity[]> {
    return this.ds.getRepository(ApiKeyEntity).find({ where: { tenantId }, order: { createdAt: 'ASC' } });
  }

  /** The key with the hash and its user, in one statement (an API request reads it each time); null when either is gone. */
  async findPrincipalByHash(keyHash: string): Promise<ApiKeyPrincipalRow | null> {
    const { rows } = await runSql<ApiKeyPrincipalRow>(
      this.ds.manager,
      `SELECT k."id" AS "keyId", k."tenant_id" AS "tenantId", u."id" AS "userId", u."role" AS "role"
       FROM "api_keys" k JOIN "users" u ON u."id" = k."user_id"
       WHERE k."key_hash" = $1`,
      [keyHash],
    );
    return rows[0] ?? null;
  }

  findForTenant(id: string, tenantId: string): Promise<ApiKeyEntity | null> {
    return this.ds.getRepository(ApiKeyEntity).findOneBy({ id, tenantId });
  }

  async deleteForTenant(id: string, tenantId: string): Promise<boolean> {
    const result = await this.ds.getRepository(ApiKeyEntity).delete({ id, tenantId });
    return (result.affected ?? 0) > 0;
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.ds.getRepository(ApiKeyEntity).update({ id }, { lastUsedAt: at });
  }
}

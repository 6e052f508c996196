import type { DataSource } from 'typeorm';
import { ApiKeyEntity } from '../entities/api-key.entity.js';

export class ApiKeyRepository {
  constructor(private readonly ds: DataSource) {}

  create(data: { tenantId: string; userId: string; name: string; prefix: string; keyHash: string }): Promise<ApiKeyEntity> {
    const repo = this.ds.getRepository(ApiKeyEntity);
    return repo.save(repo.create({ ...data, lastUsedAt: null }));
  }

  listByTenant(tenantId: string): Promise<ApiKeyEntity[]> {
    return this.ds.getRepository(ApiKeyEntity).find({ where: { tenantId }, order: { createdAt: 'ASC' } });
  }

  findByHash(keyHash: string): Promise<ApiKeyEntity | null> {
    return this.ds.getRepository(ApiKeyEntity).findOneBy({ keyHash });
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

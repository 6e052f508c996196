import type { DataSource } from 'typeorm';
import { InstanceEntity } from '../entities/instance.entity.js';
import { TenantEntity, type Plan } from '../entities/tenant.entity.js';
import { UserEntity, type UserRole } from '../entities/user.entity.js';

export interface TenantWithCounts {
  tenant: TenantEntity;
  instanceCount: number;
  userCount: number;
}

export class TenantRepository {
  constructor(private readonly ds: DataSource) {}

  /** Creates a tenant and its first user in one transaction. Throws the unique violation if the email is taken. */
  async createWithUser(
    tenant: { name: string; plan: Plan },
    user: { email: string; passwordHash: string; role: UserRole },
  ): Promise<{ tenant: TenantEntity; user: UserEntity }> {
    return this.ds.transaction(async (em) => {
      const savedTenant = await em.save(em.create(TenantEntity, tenant));
      const savedUser = await em.save(em.create(UserEntity, { ...user, tenantId: savedTenant.id }));
      return { tenant: savedTenant, user: savedUser };
    });
  }

  findById(id: string): Promise<TenantEntity | null> {
    return this.ds.getRepository(TenantEntity).findOneBy({ id });
  }

  async listWithCounts(): Promise<TenantWithCounts[]> {
    const tenants = await this.ds.getRepository(TenantEntity).find({ order: { createdAt: 'ASC' } });
    if (tenants.length === 0) return [];
    const [instanceRows, userRows] = await Promise.all([
      this.ds
        .getRepository(InstanceEntity)
        .createQueryBuilder('i')
        .select('i.tenantId', 'tenantId')
        .addSelect('COUNT(*)::int', 'count')
        .groupBy('i.tenantId')
        .getRawMany<{ tenantId: string; count: number }>(),
      this.ds
        .getRepository(UserEntity)
        .createQueryBuilder('u')
        .select('u.tenantId', 'tenantId')
        .addSelect('COUNT(*)::int', 'count')
        .groupBy('u.tenantId')
        .getRawMany<{ tenantId: string; count: number }>(),
    ]);
    const instances = new Map(instanceRows.map((r) => [r.tenantId, r.count]));
    const users = new Map(userRows.map((r) => [r.tenantId, r.count]));
    return tenants.map((tenant) => ({
      tenant,
      instanceCount: instances.get(tenant.id) ?? 0,
      userCount: users.get(tenant.id) ?? 0,
    }));
  }

  async updatePlan(id: string, plan: Plan): Promise<TenantEntity | null> {
    const repo = this.ds.getRepository(TenantEntity);
    const result = await repo.update({ id }, { plan });
    if (!result.affected) return null;
    return repo.findOneBy({ id });
  }
}

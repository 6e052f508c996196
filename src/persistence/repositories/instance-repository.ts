import type { DataSource } from 'typeorm';
import { InstanceEntity, type InstanceStatus } from '../entities/instance.entity.js';
import { TenantEntity, type Plan } from '../entities/tenant.entity.js';

export type NewInstance = Pick<InstanceEntity, 'id' | 'tenantId' | 'name' | 'webhookUrl'> &
  Partial<Pick<InstanceEntity, 'webhookEvents' | 'webhookSecret'>>;
export type InstancePatch = Partial<
  Pick<InstanceEntity, 'name' | 'webhookUrl' | 'webhookEvents' | 'webhookSecret' | 'active'>
>;
export type InstanceStatePatch = Partial<
  Pick<InstanceEntity, 'status' | 'statusReason' | 'phone' | 'profilePicUrl' | 'nodeId'>
>;

export class InstanceRepository {
  constructor(private readonly ds: DataSource) {}

  listByTenant(tenantId: string): Promise<InstanceEntity[]> {
    return this.ds.getRepository(InstanceEntity).find({ where: { tenantId }, order: { createdAt: 'ASC' } });
  }

  listAll(filter: { status?: InstanceStatus } = {}): Promise<InstanceEntity[]> {
    return this.ds.getRepository(InstanceEntity).find({
      where: filter.status ? { status: filter.status } : {},
      order: { createdAt: 'ASC' },
    });
  }

  findForTenant(id: string, tenantId: string): Promise<InstanceEntity | null> {
    return this.ds.getRepository(InstanceEntity).findOneBy({ id, tenantId });
  }

  findById(id: string): Promise<InstanceEntity | null> {
    return this.ds.getRepository(InstanceEntity).findOneBy({ id });
  }

  /**
   * Inserts an instance while holding a row lock on its tenant (SELECT ... FOR UPDATE), so concurrent
   * creates of one tenant are serialised and `check` sees the true count. `check` throws to refuse.
   */
  async createLocked(
    data: NewInstance,
    check: (tenant: { plan: Plan }, currentCount: number) => void,
  ): Promise<InstanceEntity> {
    return this.ds.transaction(async (em) => {
      const tenant = await em
        .getRepository(TenantEntity)
        .createQueryBuilder('t')
        .setLock('pessimistic_write')
        .where('t.id = :id', { id: data.tenantId })
        .getOne();
      if (!tenant) throw new Error(`tenant ${data.tenantId} not found`);
      const count = await em.getRepository(InstanceEntity).countBy({ tenantId: data.tenantId });
      check(tenant, count);
      const repo = em.getRepository(InstanceEntity);
      return repo.save(repo.create({ ...data, status: 'created', active: true }));
    });
  }

  async updateForTenant(id: string, tenantId: string, patch: InstancePatch): Promise<InstanceEntity | null> {
    const repo = this.ds.getRepository(InstanceEntity);
    if (Object.keys(patch).length > 0) {
      const result = await repo.update({ id, tenantId }, patch);
      if (!result.affected) return null;
    }
    return repo.findOneBy({ id, tenantId });
  }

  /** For the engine: records a state change of one instance. */
  async updateState(id: string, patch: InstanceStatePatch): Promise<void> {
    await this.ds.getRepository(InstanceEntity).update({ id }, patch);
  }

  async deleteForTenant(id: string, tenantId: string): Promise<boolean> {
    const result = await this.ds.getRepository(InstanceEntity).delete({ id, tenantId });
    return (result.affected ?? 0) > 0;
  }
}

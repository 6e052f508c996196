import type { DataSource } from 'typeorm';
import { InstanceEntity, type InstanceStatus } from '../entities/instance.entity.js';
import { TenantEntity, type Plan } from '../entities/tenant.entity.js';
import type { Tx } from '../transaction-runner.js';
import { selectOne } from '../sql.js';

export type NewInstance = Pick<InstanceEntity, 'id' | 'tenantId' | 'name' | 'webhookUrl'> &
  Partial<Pick<InstanceEntity, 'webhookEvents' | 'webhookSecret' | 'tag' | 'description' | 'externalInstanceId'>>;
/** How the Z-API compatibility surface names an instance: its uuid or its numeric id. */
export type ZapiInstanceRef = { uuid: string } | { legacyId: number };
export type InstancePatch = Partial<
  Pick<InstanceEntity, 'name' | 'webhookUrl' | 'webhookEvents' | 'webhookSecret' | 'active'>
>;
export type InstanceStatePatch = Partial<
  Pick<InstanceEntity, 'status' | 'statusReason' | 'phone' | 'profilePicUrl' | 'nodeId'>
>;

/** `disconnected` reasons after which the engine keeps (or resumes) trying on its own. */
export const RUNNABLE_DISCONNECT_REASONS = ['network', 'restarting', 'bad_session', 'node_lost'];

/**
 * Corrects rows as they are read (in place), e.g. SocketPresenceReader.correct: a stored `connected` that no live
 * socket confirms reads `disconnected` / `node_lost`.
 */
export type InstanceStatusOverlay = (rows: InstanceEntity[]) => Promise<void>;

export class InstanceRepository {
  /** `overlay`: applied to every row read (the API's views); the engine's own repository has none. */
  constructor(
    private readonly ds: DataSource,
    private readonly overlay?: InstanceStatusOverlay,
  ) {}

  private async corrected(rows: InstanceEntity[]): Promise<InstanceEntity[]> {
    if (this.overlay) await this.overlay(rows);
    return rows;
  }

  private async correctedOne(row: InstanceEntity | null): Promise<InstanceEntity | null> {
    if (row && this.overlay) await this.overlay([row]);
    return row;
  }

  async listByTenant(tenantId: string): Promise<InstanceEntity[]> {
    return this.corrected(await this.ds.getRepository(InstanceEntity).find({ where: { tenantId }, order: { createdAt: 'ASC' } }));
  }

  async listAll(filter: { status?: InstanceStatus } = {}): Promise<InstanceEntity[]> {
    const rows = await this.corrected(
      await this.ds.getRepository(InstanceEntity).find({
        where: filter.status ? { status: filter.status } : {},
        order: { createdAt: 'ASC' },
      }),
    );
    return filter.status ? rows.filter((r) => r.status === filter.status) : rows;
  }

  async findForTenant(id: string, tenantId: string): Promise<InstanceEntity | null> {
    return this.correctedOne(await selectOne(this.ds.manager, InstanceEntity, { id, tenantId }));
  }

  /** Z-API zapi: an instance of the tenant by uuid or numeric id. */
  async findForTenantByZapiRef(ref: ZapiInstanceRef, tenantId: string): Promise<InstanceEntity | null> {
    return this.correctedOne(await this.ds.getRepository(InstanceEntity).findOneBy({ ...ref, tenantId }));
  }

  async findById(id: string): Promise<InstanceEntity | null> {
    return this.correctedOne(await this.ds.getRepository(InstanceEntity).findOneBy({ id }));
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
    return this.correctedOne(await repo.findOneBy({ id, tenantId }));
  }

  /** For the engine: records a state change of one instance (in `tx` when given). False when the row is gone. */
  async updateState(id: string, patch: InstanceStatePatch, tx?: Tx): Promise<boolean> {
    const result = await (tx ?? this.ds.manager).getRepository(InstanceEntity).update({ id }, patch);
    return (result.affected ?? 0) > 0;
  }

  /**
   * For the engine's supervisor: the instances that should have a socket somewhere in the cluster. Active ones in
   * `created`, `qr`, `connected`, or `disconnected` for a transient reason; not `banned`, nor `disconnected` for a
   * reason that waits for the user (`logged_out`, `replaced`, `qr_expired`, ...).
   */
  async listRunnableIds(): Promise<string[]> {
    const rows = await this.ds
      .getRepository(InstanceEntity)
      .createQueryBuilder('i')
      .select('i.id', 'id')
      .where('i.active = true')
      .andWhere(
        `(i.status IN ('created', 'qr', 'connected') OR (i.status = 'disconnected' AND i.statusReason IN (:...transient)))`,
        { transient: RUNNABLE_DISCONNECT_REASONS },
      )
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  async deleteForTenant(id: string, tenantId: string): Promise<boolean> {
    const result = await this.ds.getRepository(InstanceEntity).delete({ id, tenantId });
    return (result.affected ?? 0) > 0;
  }
}

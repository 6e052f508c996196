import type { Logger } from 'pino';
import { NotFoundError } from '../errors/not-found-error.js';
import { PlanLimitError } from '../errors/plan-limit-error.js';
import type { InstancePatch, InstanceRepository } from '../persistence/repositories/instance-repository.js';
import { newInstanceId } from './ids.js';
import type { InstanceLifecycle } from './instance-lifecycle.js';
import { toCreated, toDetail, toSummary, type CreatedInstance, type InstanceDetail, type InstanceSummary } from './instance-views.js';
import { PLAN_INSTANCE_LIMITS } from './plans.js';

export interface InstancesServiceDeps {
  instances: InstanceRepository;
  logger: Logger;
  /** Optional: the engine. Absent, instances stay records with status `created`. */
  lifecycle?: InstanceLifecycle;
}

/** Instances of one tenant. Another tenant's instance is reported as not found, never as forbidden. */
export class InstancesService {
  constructor(private readonly deps: InstancesServiceDeps) {}

  async list(tenantId: string): Promise<InstanceSummary[]> {
    return (await this.deps.instances.listByTenant(tenantId)).map(toSummary);
  }

  async create(tenantId: string, input: { name: string; webhookUrl?: string | null }): Promise<CreatedInstance> {
    const created = await this.deps.instances.createLocked(
      { id: newInstanceId(), tenantId, name: input.name, webhookUrl: input.webhookUrl ?? null },
      (tenant, count) => {
        const limit = PLAN_INSTANCE_LIMITS[tenant.plan];
        if (count >= limit) throw new PlanLimitError(tenant.plan, limit);
      },
    );
    this.deps.logger.info({ instanceId: created.id, tenantId }, 'instance created');
    if (this.deps.lifecycle) {
      await this.deps.lifecycle.start(created.id);
      // The engine may have moved the status on already.
      const fresh = await this.deps.instances.findById(created.id);
      if (fresh) return toCreated(fresh);
    }
    return toCreated(created);
  }

  async get(tenantId: string, id: string): Promise<InstanceDetail> {
    const found = await this.deps.instances.findForTenant(id, tenantId);
    if (!found) throw new NotFoundError('Instance not found');
    return toDetail(found);
  }

  async update(tenantId: string, id: string, patch: { name?: string; webhookUrl?: string | null }): Promise<InstanceDetail> {
    const changes: InstancePatch = {};
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.webhookUrl !== undefined) changes.webhookUrl = patch.webhookUrl;
    const updated = await this.deps.instances.updateForTenant(id, tenantId, changes);
    if (!updated) throw new NotFoundError('Instance not found');
    return toDetail(updated);
  }

  async remove(tenantId: string, id: string): Promise<void> {
    const found = await this.deps.instances.findForTenant(id, tenantId);
    if (!found) throw new NotFoundError('Instance not found');
    if (this.deps.lifecycle) await this.deps.lifecycle.logout(id);
    if (!(await this.deps.instances.deleteForTenant(id, tenantId))) throw new NotFoundError('Instance not found');
    this.deps.logger.info({ instanceId: id, tenantId }, 'instance deleted');
  }
}

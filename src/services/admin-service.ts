import type { Logger } from 'pino';
import { NotFoundError } from '../errors/not-found-error.js';
import type { InstanceStatus } from '../persistence/entities/instance.entity.js';
import type { Plan } from '../persistence/entities/tenant.entity.js';
import type { InstanceRepository } from '../persistence/repositories/instance-repository.js';
import type { TenantRepository } from '../persistence/repositories/tenant-repository.js';
import type { UserRepository } from '../persistence/repositories/user-repository.js';
import { toAdminView, type AdminInstanceView } from './instance-views.js';
import { ServiceUnavailableError } from '../errors/service-unavailable-error.js';
import type { InstanceLifecycle } from './instance-lifecycle.js';
import type { PasswordHasher } from './password-hasher.js';
import { PLAN_INSTANCE_LIMITS } from './plans.js';

export interface AdminTenantView {
  id: string;
  name: string;
  plan: Plan;
  instanceLimit: number;
  instanceCount: number;
  userCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface AdminServiceDeps {
  tenants: TenantRepository;
  users: UserRepository;
  instances: InstanceRepository;
  hasher: PasswordHasher;
  logger: Logger;
  /** The engine; without it, instance operations answer 503. */
  lifecycle?: InstanceLifecycle;
}

/** Platform administration across tenants (callers are checked to be platform admins by the HTTP layer). */
export class AdminService {
  constructor(private readonly deps: AdminServiceDeps) {}

  /** Creates the platform admin from ADMIN_EMAIL/ADMIN_PASSWORD, or updates its password and role. */
  async ensurePlatformAdmin(email: string, password: string): Promise<void> {
    const hash = await this.deps.hasher.hash(password);
    const { user, created } = await this.deps.users.upsertPlatformAdmin(email.toLowerCase(), hash);
    this.deps.logger.info({ userId: user.id, email: user.email }, created ? 'platform admin created' : 'platform admin updated');
  }

  async listTenants(): Promise<AdminTenantView[]> {
    return (await this.deps.tenants.listWithCounts()).map(({ tenant, instanceCount, userCount }) => ({
      id: tenant.id,
      name: tenant.name,
      plan: tenant.plan,
      instanceLimit: PLAN_INSTANCE_LIMITS[tenant.plan],
      instanceCount,
      userCount,
      createdAt: tenant.createdAt,
      updatedAt: tenant.updatedAt,
    }));
  }

  async setPlan(tenantId: string, plan: Plan): Promise<AdminTenantView> {
    const updated = await this.deps.tenants.updatePlan(tenantId, plan);
    if (!updated) throw new NotFoundError('Tenant not found');
    this.deps.logger.info({ tenantId, plan }, 'tenant plan changed');
    const view = (await this.listTenants()).find((t) => t.id === tenantId);
    if (!view) throw new NotFoundError('Tenant not found');
    return view;
  }

  async listInstances(filter: { status?: InstanceStatus }): Promise<AdminInstanceView[]> {
    return (await this.deps.instances.listAll(filter)).map(toAdminView);
  }

  /** Restarts any tenant's instance (closes and reopens its socket with the saved credentials). */
  async restartInstance(instanceId: string): Promise<AdminInstanceView> {
    const found = await this.deps.instances.findById(instanceId);
    if (!found) throw new NotFoundError('Instance not found');
    const lifecycle = this.deps.lifecycle;
    if (!lifecycle?.restart) throw new ServiceUnavailableError('The engine is not running');
    const restart = lifecycle.restart.bind(lifecycle);
    await restart(instanceId);
    this.deps.logger.info({ instanceId, tenantId: found.tenantId }, 'instance restarted by a platform admin');
    const fresh = await this.deps.instances.findById(instanceId);
    if (!fresh) throw new NotFoundError('Instance not found');
    return toAdminView(fresh);
  }
}

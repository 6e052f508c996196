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

/** One node as the leases show it: the instances it holds now and how often their connections came up lately. */
export interface AdminNodeView {
  /** NODE_ID of the lease holder; null for the instances no node holds. */
  nodeId: string | null;
  instanceCount: number;
  byStatus: Record<InstanceStatus, number>;
  /** `connection.update` → `connected` events of these instances in the last hour (pairings, restarts, reconnects). */
  connectedLastHour: number;
  instances: Array<{ id: string; name: string; tenantId: string; status: InstanceStatus; connectedLastHour: number }>;
}

/** Who holds which instance's socket lease, and how often connections came up (for the per-node view). */
export interface NodeActivitySource {
  leaseHolders(instanceIds: string[]): Promise<Map<string, string>>;
  connectedCountsSince(since: Date): Promise<Map<string, number>>;
}

export interface AdminServiceDeps {
  tenants: TenantRepository;
  users: UserRepository;
  instances: InstanceRepository;
  hasher: PasswordHasher;
  logger: Logger;
  /** The engine; without it, instance operations answer 503. */
  lifecycle?: InstanceLifecycle;
  /** Leases and connection events; without it, listNodes answers 503. */
  nodeActivity?: NodeActivitySource;
  now?: () => number;
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

  /** Instances grouped by the node that holds their lease now (held by none last), with counts by status. */
  async listNodes(): Promise<AdminNodeView[]> {
    const source = this.deps.nodeActivity;
    if (!source) throw new ServiceUnavailableError('Node activity is not available');
    const instances = await this.deps.instances.listAll({});
    const since = new Date((this.deps.now ?? Date.now)() - 3600_000);
    const [holders, connected] = await Promise.all([source.leaseHolders(instances.map((i) => i.id)), source.connectedCountsSince(since)]);
    const nodes = new Map<string | null, AdminNodeView>();
    for (const i of instances) {
      const nodeId = holders.get(i.id) ?? null;
      let node = nodes.get(nodeId);
      if (!node) {
        node = { nodeId, instanceCount: 0, byStatus: { created: 0, qr: 0, connected: 0, disconnected: 0, banned: 0 }, connectedLastHour: 0, instances: [] };
        nodes.set(nodeId, node);
      }
      const count = connected.get(i.id) ?? 0;
      node.instanceCount += 1;
      node.byStatus[i.status] += 1;
      node.connectedLastHour += count;
      node.instances.push({ id: i.id, name: i.name, tenantId: i.tenantId, status: i.status, connectedLastHour: count });
    }
    return [...nodes.values()].sort((a, b) => (a.nodeId === null ? 1 : b.nodeId === null ? -1 : a.nodeId.localeCompare(b.nodeId)));
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

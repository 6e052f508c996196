import type { Logger } from 'pino';
import { NotFoundError } from '../errors/not-found-error.js';
import { PlanLimitError } from '../errors/plan-limit-error.js';
import { ServiceUnavailableError } from '../errors/service-unavailable-error.js';
import type { InstanceEntity } from '../persistence/entities/instance.entity.js';
import type { InstancePatch, InstanceRepository } from '../persistence/repositories/instance-repository.js';
import { newInstanceId } from './ids.js';
import type { QrCodeStore } from '../persistence/redis/qr-code-store.js';
import { ConflictError } from '../errors/conflict-error.js';
import type { InstanceLifecycle, InstanceStatePurger } from './instance-lifecycle.js';
import { toCreated, toDetail, toQrView, toSummary, type CreatedInstance, type InstanceDetail, type InstanceSummary } from './instance-views.js';
import { PLAN_INSTANCE_LIMITS } from './plans.js';

export interface InstancesServiceDeps {
  instances: InstanceRepository;
  logger: Logger;
  /** Optional: the engine. Absent, instances stay records with status `created`. */
  lifecycle?: InstanceLifecycle;
  /** Where the current QR of each instance is kept (shown by `get` while the status is `qr`). */
  qrCodes?: QrCodeStore;
  /** Wipes what an instance keeps in Redis once it is deleted. */
  purger?: InstanceStatePurger;
  /** Webhook URL policy and per-instance secrets (the webhooks module); absent, neither is checked nor kept. */
  webhooks?: InstanceWebhookSettings;
}

/** What instances need from the webhooks module. */
export interface InstanceWebhookSettings {
  /** Throws a 400 for a URL deliveries would refuse (scheme, private or loopback address unless allowed). */
  checkUrl(url: string): Promise<void>;
  /** A new secret: the plain text (shown to the tenant) and the sealed form (stored, AES-256-GCM). */
  create(instanceId: string): { secret: string; sealed: string };
  /** The plain secret; throws when the sealed value does not open. */
  open(instanceId: string, sealed: string): string;
}

/** Webhook fields of create and PUT. */
interface WebhookInput {
  webhookUrl?: string | null;
  webhookEvents?: string[] | null;
}

/** Instances of one tenant. Another tenant's instance is reported as not found, never as forbidden. */
export class InstancesService {
  constructor(private readonly deps: InstancesServiceDeps) {}

  async list(tenantId: string): Promise<InstanceSummary[]> {
    return (await this.deps.instances.listByTenant(tenantId)).map(toSummary);
  }

  /** `compat` carries the Z-API compatibility fields (tag unique per tenant: a duplicate throws the unique violation). */
  async create(
    tenantId: string,
    input: { name: string } & WebhookInput,
    zapi: { tag: string; description: string; externalInstanceId: string } | null = null,
  ): Promise<CreatedInstance> {
    if (input.webhookUrl) await this.deps.webhooks?.checkUrl(input.webhookUrl);
    const id = newInstanceId();
    const secret = this.deps.webhooks?.create(id);
    const created = await this.deps.instances.createLocked(
      {
        id,
        tenantId,
        name: input.name,
        webhookUrl: input.webhookUrl ?? null,
        webhookEvents: input.webhookEvents?.length ? input.webhookEvents : null,
        webhookSecret: secret?.sealed ?? null,
        ...zapi,
      },
      (tenant, count) => {
        const limit = PLAN_INSTANCE_LIMITS[tenant.plan];
        if (count >= limit) throw new PlanLimitError(tenant.plan, limit);
      },
    );
    this.deps.logger.info({ instanceId: created.id, tenantId }, 'instance created');
    if (this.deps.lifecycle) {
      const lifecycle = this.deps.lifecycle;
      try {
        await lifecycle.start(created.id);
      } catch (err) {
        // No node runs sockets right now: the instance is stored; the first node that starts adopts it.
        if ((err as { code?: unknown }).code !== 'no_engine_node') throw err;
        this.deps.logger.warn({ instanceId: created.id }, 'no engine node to start the instance yet');
      }
      // The engine may have moved the status on already.
      const fresh = await this.deps.instances.findById(created.id);
      if (fresh) return { ...toCreated(fresh), webhookSecret: secret?.secret ?? null };
    }
    return { ...toCreated(created), webhookSecret: secret?.secret ?? null };
  }

  async get(tenantId: string, id: string): Promise<InstanceDetail> {
    const found = await this.deps.instances.findForTenant(id, tenantId);
    if (!found) throw new NotFoundError('Instance not found');
    const detail = { ...toDetail(found), webhookSecret: await this.webhookSecretOf(found) };
    if (found.status !== 'qr' || !this.deps.qrCodes) return detail;
    const qr = await this.deps.qrCodes.get(id);
    return qr ? { ...detail, qrCode: toQrView(qr) } : detail;
  }

  /** Closes and reopens the connection with the saved credentials (a QR cycle if there are none). */
  async restart(tenantId: string, id: string): Promise<InstanceDetail> {
    await this.require(tenantId, id);
    const lifecycle = this.lifecycle();
    if (!lifecycle.restart) throw new ServiceUnavailableError('The engine cannot restart instances');
    const restart = lifecycle.restart.bind(lifecycle);
    await restart(id);
    this.deps.logger.info({ instanceId: id, tenantId }, 'instance restarted');
    return this.get(tenantId, id);
  }

  /** A new cycle of QR codes; 409 when the instance is connected already. */
  async regenerateQr(tenantId: string, id: string): Promise<InstanceDetail> {
    const found = await this.require(tenantId, id);
    if (found.status === 'connected') {
      throw new ConflictError('The instance is connected; disconnect it first', undefined, 'INSTANCE_ALREADY_CONNECTED');
    }
    const lifecycle = this.lifecycle();
    if (!lifecycle.regenerateQr) throw new ServiceUnavailableError('The engine cannot regenerate QR codes');
    const regenerate = lifecycle.regenerateQr.bind(lifecycle);
    await regenerate(id);
    return this.get(tenantId, id);
  }

  /** Logs the device out of WhatsApp (the phone no longer lists it) and wipes its credentials. */
  async disconnect(tenantId: string, id: string): Promise<InstanceDetail> {
    await this.require(tenantId, id);
    await this.lifecycle().logout(id);
    this.deps.logger.info({ instanceId: id, tenantId }, 'instance disconnected');
    return this.get(tenantId, id);
  }

  private async require(tenantId: string, id: string) {
    const found = await this.deps.instances.findForTenant(id, tenantId);
    if (!found) throw new NotFoundError('Instance not found');
    return found;
  }

  private lifecycle(): InstanceLifecycle {
    if (!this.deps.lifecycle) throw new ServiceUnavailableError('The engine is not running');
    return this.deps.lifecycle;
  }

  async update(tenantId: string, id: string, patch: { name?: string } & WebhookInput): Promise<InstanceDetail> {
    const changes: InstancePatch = {};
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.webhookUrl) await this.deps.webhooks?.checkUrl(patch.webhookUrl);
    if (patch.webhookUrl !== undefined) changes.webhookUrl = patch.webhookUrl;
    if (patch.webhookEvents !== undefined) changes.webhookEvents = patch.webhookEvents?.length ? patch.webhookEvents : null;
    const updated = await this.deps.instances.updateForTenant(id, tenantId, changes);
    if (!updated) throw new NotFoundError('Instance not found');
    return { ...toDetail(updated), webhookSecret: await this.webhookSecretOf(updated) };
  }

  /** The plain webhook secret (made now for instances that predate secrets); null without the webhooks module. */
  private async webhookSecretOf(instance: InstanceEntity): Promise<string | null> {
    const webhooks = this.deps.webhooks;
    if (!webhooks) return null;
    if (instance.webhookSecret) return webhooks.open(instance.id, instance.webhookSecret);
    const { secret, sealed } = webhooks.create(instance.id);
    await this.deps.instances.updateForTenant(instance.id, instance.tenantId, { webhookSecret: sealed });
    return secret;
  }

  async remove(tenantId: string, id: string): Promise<void> {
    const found = await this.deps.instances.findForTenant(id, tenantId);
    if (!found) throw new NotFoundError('Instance not found');
    const lifecycle = this.deps.lifecycle;
    if (lifecycle) {
      await lifecycle.logout(id);
      await lifecycle.stop(id);
    }
    if (!(await this.deps.instances.deleteForTenant(id, tenantId))) throw new NotFoundError('Instance not found');
    await this.deps.purger?.purge(id);
    this.deps.logger.info({ instanceId: id, tenantId }, 'instance deleted');
  }
}

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Config } from '../config/config.js';
import { createPersistence, type Persistence, type Repositories } from './create-repositories.js';
import { ExclusiveMarks } from '../persistence/redis/exclusive-marks.js';
import { LeaseReader } from '../persistence/redis/lease-reader.js';
import { SocketPresenceReader } from '../persistence/redis/socket-presence-reader.js';
import { InstanceRepository } from '../persistence/repositories/instance-repository.js';
import { TokenRevocationStore } from '../persistence/redis/token-revocation-store.js';
import { AttemptLimiter } from '../persistence/redis/attempt-limiter.js';
import { AdminService } from '../services/admin-service.js';
import { ApiKeyService } from '../services/api-key-service.js';
import { AuthService } from '../services/auth-service.js';
import { ZapiAuthService } from '../services/zapi/zapi-auth-service.js';
import type { ZapiPorts } from '../services/zapi/zapi-ports.js';
import { ZapiTokens } from '../services/zapi/zapi-tokens.js';
import { instancesZapiPorts } from '../services/zapi/instances-zapi-ports.js';
import { ZapiService } from '../services/zapi/zapi-service.js';
import type { InstanceLifecycle, InstanceStatePurger } from '../services/instance-lifecycle.js';
import { InstancesService } from '../services/instances-service.js';
import { instanceWebhookSettings } from '../services/webhooks/instance-webhook-settings.js';
import { PasswordHasher } from '../services/password-hasher.js';
import { ReadinessService } from '../services/readiness-service.js';
import { SessionTokens } from '../services/session-tokens.js';

export interface ServiceInputs {
  config: Pick<Config, 'jwtSecret' | 'sessionTtlSeconds' | 'loginLimits' | 'signupLimits' | 'redisPrefix' | 'encryptionKey' | 'webhookAllowPrivateUrls'>;
  dataSource: DataSource;
  redis: Redis;
  logger: Logger;
  /** Built once by the node; built here when absent (tests of the HTTP app alone). */
  persistence?: Persistence;
  /** The engine (EngineControl, see create-engine.ts); without it instances are plain records. */
  lifecycle?: InstanceLifecycle;
  /** Wipes an instance's Redis state after DELETE (auth, QR); see create-engine.ts. */
  purger?: InstanceStatePurger;
  /** What the Z-API compatibility surface needs from the engine and the send pipeline; its routes need them. */
  zapiPorts?: ZapiPorts;
  /** Revoked session tokens; the node passes one that watches revocations (and closes it). Default: reads Redis each time. */
  revocations?: TokenRevocationStore;
}

export interface Services {
  auth: AuthService;
  apiKeys: ApiKeyService;
  instances: InstancesService;
  admin: AdminService;
  readiness: ReadinessService;
  /** The Z-API compatibility surface (/api). */
  zapi: ZapiService;
  zapiAuth: ZapiAuthService;
  repositories: Repositories;
  transactions: Persistence['transactions'];
  /** The current QR of each instance (written by the engine's status recorder, read by the API). */
  qrCodes: Persistence['qrCodes'];
  redisKeys: Persistence['redisKeys'];
}

/** Wires repositories and services; used by main.ts and by tests (which pass their own database and prefix). */
export function createServices(inputs: ServiceInputs): Services {
  const { config, dataSource, redis, logger } = inputs;
  const { repositories, transactions, qrCodes, redisKeys } =
    inputs.persistence ?? createPersistence({ dataSource, redis, redisPrefix: config.redisPrefix });
  // With the engine, what the API shows of an instance's status is checked against the sockets really open
  // (a killed or restarting node's `connected` reads `disconnected` / `node_lost`); the engine writes through its own.
  const presence = new SocketPresenceReader(redis, redisKeys);
  const viewedInstances = inputs.lifecycle ? new InstanceRepository(dataSource, (rows) => presence.correct(rows)) : repositories.instances;
  const hasher = new PasswordHasher();
  const apiKeys = new ApiKeyService(repositories.apiKeys);
  const tokens = new SessionTokens(
    config.jwtSecret,
    config.sessionTtlSeconds,
    inputs.revocations ?? new TokenRevocationStore(redis, redisKeys),
  );
  const auth = new AuthService({
    users: repositories.users,
    tenants: repositories.tenants,
    hasher,
    tokens,
    apiKeys,
    attempts: new AttemptLimiter(redis, redisKeys),
    limits: config.loginLimits,
    signupLimits: config.signupLimits,
  });
  const instances = new InstancesService({
    instances: viewedInstances,
    logger: logger.child({ component: 'instances' }),
    lifecycle: inputs.lifecycle,
    qrCodes,
    purger: inputs.purger,
    // Long enough for a logout and stop on a slow engine; a node that dies mid-deletion frees it after this.
    deletions: new ExclusiveMarks(redis, redisKeys, 'instance-deleting', 120_000),
    webhooks: instanceWebhookSettings({ encryptionKey: config.encryptionKey, allowPrivateUrls: config.webhookAllowPrivateUrls }),
  });
  const leaseReader = new LeaseReader(redis, redisKeys);
  const admin = new AdminService({
    tenants: repositories.tenants,
    users: repositories.users,
    instances: viewedInstances,
    hasher,
    logger: logger.child({ component: 'admin' }),
    lifecycle: inputs.lifecycle,
    nodeActivity: {
      leaseHolders: (ids) => leaseReader.holders(ids),
      connectedCountsSince: (since) => repositories.webhookEvents.connectedCountsSince(since),
    },
  });
  const readiness = new ReadinessService({
    postgres: () => dataSource.query('SELECT 1'),
    redis: () => redis.ping(),
  });
  const zapiAuth = new ZapiAuthService({
    tokens: new ZapiTokens(config.jwtSecret, config.sessionTtlSeconds),
    apiKeys,
    apiKeyRecords: repositories.apiKeys,
    users: repositories.users,
    tenants: repositories.tenants,
    auth,
  });
  const zapi = new ZapiService({
    instancesService: instances,
    instances: viewedInstances,
    contacts: repositories.contacts,
    chats: repositories.chats,
    messages: repositories.messages,
    // With the engine, qrcode/desconectar go through InstancesService; the send port comes from messaging.
    ports: { ...(inputs.lifecycle ? instancesZapiPorts(instances) : {}), ...inputs.zapiPorts },
    logger: logger.child({ component: 'zapi-compat' }),
  });
  return { auth, apiKeys, instances, admin, readiness, zapi, zapiAuth, repositories, transactions, qrCodes, redisKeys };
}

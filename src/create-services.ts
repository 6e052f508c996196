import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Config } from './config/config.js';
import { LeaseReader } from './persistence/redis/lease-reader.js';
import { QrCodeStore } from './persistence/redis/qr-code-store.js';
import { RedisKeys } from './persistence/redis/redis-keys.js';
import { TokenRevocationStore } from './persistence/redis/token-revocation-store.js';
import { WindowCounter } from './persistence/redis/window-counter.js';
import { ApiKeyRepository } from './persistence/repositories/api-key-repository.js';
import { ChatRepository } from './persistence/repositories/chat-repository.js';
import { ContactRepository } from './persistence/repositories/contact-repository.js';
import { InstanceRepository } from './persistence/repositories/instance-repository.js';
import { MessageRepository } from './persistence/repositories/message-repository.js';
import { TenantRepository } from './persistence/repositories/tenant-repository.js';
import { UserRepository } from './persistence/repositories/user-repository.js';
import { WebhookEventRepository } from './persistence/repositories/webhook-event-repository.js';
import { TransactionRunner } from './persistence/transaction-runner.js';
import { AdminService } from './services/admin-service.js';
import { ApiKeyService } from './services/api-key-service.js';
import { AuthService } from './services/auth-service.js';
import { CompatAuthService } from './services/compat/compat-auth-service.js';
import type { CompatPorts } from './services/compat/compat-ports.js';
import { CompatTokens } from './services/compat/compat-tokens.js';
import { instancesCompatPorts } from './services/compat/instances-compat-ports.js';
import { ZapiCompatService } from './services/compat/zapi-compat-service.js';
import type { InstanceLifecycle, InstanceStatePurger } from './services/instance-lifecycle.js';
import { InstancesService } from './services/instances-service.js';
import { instanceWebhookSettings } from './services/webhooks/instance-webhook-settings.js';
import { PasswordHasher } from './services/password-hasher.js';
import { ReadinessService } from './services/readiness-service.js';
import { SessionTokens } from './services/session-tokens.js';

export interface ServiceInputs {
  config: Pick<Config, 'jwtSecret' | 'sessionTtlSeconds' | 'loginLimits' | 'redisPrefix' | 'encryptionKey' | 'webhookAllowPrivateUrls'>;
  dataSource: DataSource;
  redis: Redis;
  logger: Logger;
  /** The engine (EngineControl, see create-engine.ts); without it instances are plain records. */
  lifecycle?: InstanceLifecycle;
  /** Wipes an instance's Redis state after DELETE (auth, QR); see create-engine.ts. */
  purger?: InstanceStatePurger;
  /** What the Z-API compatibility surface needs from the engine and the send pipeline; its routes need them. */
  compatPorts?: CompatPorts;
}

export interface Services {
  auth: AuthService;
  apiKeys: ApiKeyService;
  instances: InstancesService;
  admin: AdminService;
  readiness: ReadinessService;
  /** The Z-API compatibility surface (/api). */
  compat: ZapiCompatService;
  compatAuth: CompatAuthService;
  repositories: {
    tenants: TenantRepository;
    users: UserRepository;
    apiKeys: ApiKeyRepository;
    instances: InstanceRepository;
    contacts: ContactRepository;
    chats: ChatRepository;
    messages: MessageRepository;
    webhookEvents: WebhookEventRepository;
  };
  transactions: TransactionRunner;
  /** The current QR of each instance (written by the engine's status recorder, read by the API). */
  qrCodes: QrCodeStore;
  redisKeys: RedisKeys;
}

/** Wires repositories and services; used by main.ts and by tests (which pass their own database and prefix). */
export function createServices(inputs: ServiceInputs): Services {
  const { config, dataSource, redis, logger } = inputs;
  const redisKeys = new RedisKeys(config.redisPrefix);
  const repositories = {
    tenants: new TenantRepository(dataSource),
    users: new UserRepository(dataSource),
    apiKeys: new ApiKeyRepository(dataSource),
    instances: new InstanceRepository(dataSource),
    contacts: new ContactRepository(dataSource),
    chats: new ChatRepository(dataSource),
    messages: new MessageRepository(dataSource),
    webhookEvents: new WebhookEventRepository(dataSource),
  };
  const transactions = new TransactionRunner(dataSource);
  const qrCodes = new QrCodeStore(redis, redisKeys);
  const hasher = new PasswordHasher();
  const apiKeys = new ApiKeyService(repositories.apiKeys, repositories.users);
  const tokens = new SessionTokens(config.jwtSecret, config.sessionTtlSeconds, new TokenRevocationStore(redis, redisKeys));
  const auth = new AuthService({
    users: repositories.users,
    tenants: repositories.tenants,
    hasher,
    tokens,
    apiKeys,
    failuresByEmail: new WindowCounter(redis, redisKeys, 'login-email'),
    failuresByIp: new WindowCounter(redis, redisKeys, 'login-ip'),
    limits: config.loginLimits,
  });
  const instances = new InstancesService({
    instances: repositories.instances,
    logger: logger.child({ component: 'instances' }),
    lifecycle: inputs.lifecycle,
    qrCodes,
    purger: inputs.purger,
    webhooks: instanceWebhookSettings({ encryptionKey: config.encryptionKey, allowPrivateUrls: config.webhookAllowPrivateUrls }),
  });
  const leaseReader = new LeaseReader(redis, redisKeys);
  const admin = new AdminService({
    tenants: repositories.tenants,
    users: repositories.users,
    instances: repositories.instances,
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
  const compatAuth = new CompatAuthService({
    tokens: new CompatTokens(config.jwtSecret, config.sessionTtlSeconds),
    apiKeys,
    apiKeyRecords: repositories.apiKeys,
    users: repositories.users,
    tenants: repositories.tenants,
    auth,
  });
  const compat = new ZapiCompatService({
    instancesService: instances,
    instances: repositories.instances,
    contacts: repositories.contacts,
    chats: repositories.chats,
    messages: repositories.messages,
    // With the engine, qrcode/desconectar go through InstancesService; the send port comes from messaging.
    ports: { ...(inputs.lifecycle ? instancesCompatPorts(instances) : {}), ...inputs.compatPorts },
    logger: logger.child({ component: 'zapi-compat' }),
  });
  return { auth, apiKeys, instances, admin, readiness, compat, compatAuth, repositories, transactions, qrCodes, redisKeys };
}

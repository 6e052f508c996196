import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Config } from './config/config.js';
import { RedisKeys } from './persistence/redis/redis-keys.js';
import { TokenRevocationStore } from './persistence/redis/token-revocation-store.js';
import { WindowCounter } from './persistence/redis/window-counter.js';
import { ApiKeyRepository } from './persistence/repositories/api-key-repository.js';
import { InstanceRepository } from './persistence/repositories/instance-repository.js';
import { TenantRepository } from './persistence/repositories/tenant-repository.js';
import { UserRepository } from './persistence/repositories/user-repository.js';
import { AdminService } from './services/admin-service.js';
import { ApiKeyService } from './services/api-key-service.js';
import { AuthService } from './services/auth-service.js';
import type { InstanceLifecycle } from './services/instance-lifecycle.js';
import { InstancesService } from './services/instances-service.js';
import { PasswordHasher } from './services/password-hasher.js';
import { ReadinessService } from './services/readiness-service.js';
import { SessionTokens } from './services/session-tokens.js';

export interface ServiceInputs {
  config: Pick<Config, 'jwtSecret' | 'sessionTtlSeconds' | 'loginLimits' | 'redisPrefix'>;
  dataSource: DataSource;
  redis: Redis;
  logger: Logger;
  /** The engine, once there is one (issue 4). */
  lifecycle?: InstanceLifecycle;
}

export interface Services {
  auth: AuthService;
  apiKeys: ApiKeyService;
  instances: InstancesService;
  admin: AdminService;
  readiness: ReadinessService;
  repositories: {
    tenants: TenantRepository;
    users: UserRepository;
    apiKeys: ApiKeyRepository;
    instances: InstanceRepository;
  };
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
  };
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
  });
  const admin = new AdminService({
    tenants: repositories.tenants,
    users: repositories.users,
    instances: repositories.instances,
    hasher,
    logger: logger.child({ component: 'admin' }),
  });
  const readiness = new ReadinessService({
    postgres: () => dataSource.query('SELECT 1'),
    redis: () => redis.ping(),
  });
  return { auth, apiKeys, instances, admin, readiness, repositories, redisKeys };
}

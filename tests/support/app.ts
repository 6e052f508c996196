import type { Express } from 'express';
import type { Logger } from 'pino';
import pino from 'pino';
import { createApp } from '../../src/app.js';
import type { Config } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createServices, type Services } from '../../src/wiring/create-services.js';
import type { ZapiPorts } from '../../src/services/zapi/zapi-ports.js';
import type { InstanceLifecycle } from '../../src/services/instance-lifecycle.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { createTestRedis, testRedisUrl, type TestRedis } from './redis.js';

export const TEST_JWT_SECRET = 'test-jwt-secret-that-is-at-least-32-characters-long';
export const TEST_ENCRYPTION_KEY = '00'.repeat(32);

/** A validated config for tests; `env` overrides any variable (as strings, like the real environment). */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    REDIS_URL: testRedisUrl,
    // Tests sign many tenants up from one address; the signup limit has its own test.
    SIGNUP_MAX_PER_IP: '100000',
    ...env,
  }).config;
}

export interface TestApp {
  app: Express;
  config: Config;
  services: Services;
  db: TestDatabase;
  redis: TestRedis;
  logger: Logger;
  /** Closes everything and drops the database; call in afterAll. Safe to call twice. */
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  lifecycle?: InstanceLifecycle;
  /** Fakes of the engine/send ports of the Z-API compatibility surface (its qrcode/desconectar/send routes). */
  zapiPorts?: ZapiPorts;
}

/** The whole HTTP app on this file's own database and Redis prefix. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const [db, redis] = await Promise.all([createTestDatabase(), createTestRedis()]);
  const config = testConfig({ REDIS_PREFIX: redis.prefix, DATABASE_URL: db.url, ...options.env });
  const logger = pino({ level: config.logLevel });
  const services = createServices({ config, dataSource: db.dataSource, redis: redis.redis, logger, lifecycle: options.lifecycle, zapiPorts: options.zapiPorts });
  const app = createApp({ config, logger, services });
  return {
    app,
    config,
    services,
    db,
    redis,
    logger,
    async close() {
      await Promise.allSettled([db.close(), redis.close()]);
    },
  };
}

import type { Express } from 'express';
import pino, { type Logger } from 'pino';
import { authenticate } from '../../../src/http/middleware/authenticate.js';
import { createApp } from '../../../src/app.js';
import type { Config } from '../../../src/config/config.js';
import { createServices, type Services } from '../../../src/wiring/create-services.js';
import { WebhookEventRepository } from '../../../src/persistence/repositories/webhook-event-repository.js';
import { createWebhooksModule, type WebhooksModule, type WebhooksModuleDeps } from '../../../src/wiring/webhooks-module.js';
import { testConfig } from '../../support/app.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { createTestRedis, type TestRedis } from '../../support/redis.js';

export { hang, Receiver, status, waitFor, type Hit } from '../../support/webhook-receiver.js';

/** Short retries and polls, private receivers allowed (the test's own HTTP server on 127.0.0.1). */
export const FAST_WEBHOOK_ENV: Record<string, string> = {
  WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
  WEBHOOK_TIMEOUT_MS: '2000',
  WEBHOOK_MAX_ATTEMPTS: '4',
  WEBHOOK_BACKOFF_BASE_MS: '50',
  WEBHOOK_BACKOFF_MAX_MS: '200',
  WEBHOOK_POLL_INTERVAL_MS: '100',
  // Small (10 to one host), so the per-host limit is quick to reach in the fairness test.
  WEBHOOK_CONCURRENCY: '20',
};

export interface WebhookTestApp {
  app: Express;
  config: Config;
  services: Services;
  webhooks: WebhooksModule;
  events: WebhookEventRepository;
  db: TestDatabase;
  redis: TestRedis;
  logger: Logger;
  /** Appends an event as the engine or messaging would (outbox row) and hints the notifier after the "commit". */
  emit(instanceId: string, event: string, data: unknown): Promise<{ eventId: string; sequence: number }>;
  close(): Promise<void>;
}

export async function createWebhookTestApp(
  options: { env?: Record<string, string>; tuning?: WebhooksModuleDeps['tuning'] } = {},
): Promise<WebhookTestApp> {
  const [db, redis] = await Promise.all([createTestDatabase(), createTestRedis()]);
  const config = testConfig({ REDIS_PREFIX: redis.prefix, DATABASE_URL: db.url, ...FAST_WEBHOOK_ENV, ...options.env });
  const logger = pino({ level: config.logLevel });
  const services = createServices({ config, dataSource: db.dataSource, redis: redis.redis, logger });
  const webhooks = createWebhooksModule({
    config,
    dataSource: db.dataSource,
    redis: redis.redis,
    logger,
    tuning: { leaseMs: 3000, closeGraceMs: 500, ...options.tuning },
  });
  const app = createApp({ config, logger, services, extraRouters: [webhooks.router(authenticate(services.auth))], openApi: [webhooks.openApi] });
  const events = new WebhookEventRepository(db.dataSource);
  return {
    app,
    config,
    services,
    webhooks,
    events,
    db,
    redis,
    logger,
    async emit(instanceId, event, data) {
      const appended = await events.append({ instanceId, event, data });
      webhooks.notifier.notifyAppended(instanceId, appended.event.sequence);
      return { eventId: appended.event.id, sequence: appended.event.sequence };
    },
    async close() {
      await webhooks.close();
      await Promise.allSettled([db.close(), redis.close()]);
    },
  };
}


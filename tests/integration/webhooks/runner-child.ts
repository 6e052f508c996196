/**
 * A delivery runner in its own process, for the crash test: `tsx runner-child.ts` with DATABASE_URL, REDIS_URL,
 * REDIS_PREFIX and ENCRYPTION_KEY set. Prints `ready` once running; the test kills it with SIGKILL.
 */
import pino from 'pino';
import { loadConfig } from '../../../src/config/load-config.js';
import { createDataSource } from '../../../src/persistence/create-data-source.js';
import { createRedis } from '../../../src/persistence/redis/create-redis.js';
import { createWebhooksModule } from '../../../src/wiring/webhooks-module.js';

const { config } = loadConfig(process.env);
const dataSource = createDataSource({ url: config.databaseUrl, poolSize: 5 });
await dataSource.initialize();
const redis = createRedis(config.redisUrl);
await redis.connect();
const webhooks = createWebhooksModule({
  config,
  dataSource,
  redis,
  logger: pino({ level: 'silent' }),
  tuning: { leaseMs: Number(process.env.LEASE_MS ?? 2000) },
});
await webhooks.start();
process.stdout.write('ready\n');

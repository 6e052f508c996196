import { createServer, type Server } from 'node:http';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { ConfigError } from './config/config-error.js';
import type { Config } from './config/config.js';
import { loadConfig } from './config/load-config.js';
import { createLogger } from './create-logger.js';
import { createNode } from './wiring/create-node.js';
import { createDataSource, openPoolConnections } from './persistence/create-data-source.js';
import { ensureDatabase } from './persistence/ensure-database.js';
import { createRedis } from './persistence/redis/create-redis.js';
import { Shutdown, type Closable } from './shutdown.js';
import { START_POSTGRES, START_REDIS, StartupError, redactUrl } from './startup-error.js';

async function connectPostgres(config: Config, logger: Logger): Promise<DataSource> {
  const where = redactUrl(config.databaseUrl);
  try {
    if (await ensureDatabase(config.databaseUrl)) logger.info({ database: where }, 'database created');
  } catch (err) {
    throw new StartupError(
      `cannot reach Postgres at ${where} (${(err as Error).message}); start it with: ${START_POSTGRES}`,
    );
  }
  const dataSource = createDataSource({
    url: config.databaseUrl,
    migrationsRun: false,
    keepConnections: true,
    preparedStatements: config.databasePreparedStatements,
  });
  try {
    await dataSource.initialize();
  } catch (err) {
    throw new StartupError(`cannot connect to Postgres at ${where} (${(err as Error).message}); start it with: ${START_POSTGRES}`);
  }
  const ran = await dataSource.runMigrations({ transaction: 'each' });
  logger.info({ migrations: ran.map((m) => m.name) }, ran.length ? 'migrations applied' : 'schema up to date');
  logger.info({ connections: await openPoolConnections(dataSource) }, 'database connections open');
  return dataSource;
}

async function connectRedis(config: Config): Promise<Redis> {
  const redis = createRedis(config.redisUrl, { connectionName: `zap:${config.nodeId}` });
  // Keep the last connection error for the message; later errors are reported by /ready, ioredis reconnects.
  let lastError: Error | null = null;
  redis.on('error', (err: Error) => {
    lastError = err;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    const reason = (lastError ?? (err as Error)).message;
    throw new StartupError(`cannot reach Redis at ${redactUrl(config.redisUrl)} (${reason}); start it with: ${START_REDIS}`);
  }
  return redis;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function main(): Promise<void> {
  const { config, notices } = loadConfig();
  process.setSourceMapsEnabled(config.sourceMaps);
  const logger = createLogger(config);
  for (const notice of notices) logger.info(notice);
  if (config.isProduction && config.metricsToken === null) logger.info('GET /metrics is off: set METRICS_TOKEN to serve it');

  // Shutdown order: HTTP, then workers (send workers, media downloads, webhook delivery), then the engine (sockets
  // closed without logout, leases released), then the send queues, then Redis, then the database, all under
  // SHUTDOWN_TIMEOUT_MS. The node gives its part in that order (createNode().shutdownSteps()).
  const steps = { http: [] as Closable[], node: [] as Closable[], redis: [] as Closable[], database: [] as Closable[] };
  const shutdown = new Shutdown(logger, config.shutdownTimeoutMs);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    void shutdown
      .run([...steps.http, ...steps.node, ...steps.redis, ...steps.database])
      .then((clean) => process.exit(clean ? 0 : 1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const dataSource = await connectPostgres(config, logger);
  steps.database.push({ name: 'postgres', close: async () => { if (dataSource.isInitialized) await dataSource.destroy(); } });
  const redis = await connectRedis(config);
  steps.redis.push({ name: 'redis', close: async () => { if (redis.status !== 'end') await redis.quit(); } });

  const node = createNode({ config, dataSource, redis, logger });
  steps.node.push(...node.shutdownSteps());
  if (config.admin) await node.services.admin.ensurePlatformAdmin(config.admin.email, config.admin.password);

  if (config.role === 'api' || config.role === 'all') {
    const server = createServer(node.app);
    await listen(server, config.port, config.host);
    steps.http.push({
      name: 'http',
      close: () =>
        new Promise<void>((resolve, reject) => {
          if (!server.listening) return resolve();
          server.close((err) => (err ? reject(err) : resolve()));
          server.closeIdleConnections();
          node.webhooks.endStreams(); // SSE responses never end by themselves
        }),
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info({ port, host: config.host, role: config.role }, 'listening');
  }
  // worker/all: restore the instances this node takes (bounded concurrency, jitter); api: only the command bus.
  if (!stopping) await node.start();
  logger.info({ role: config.role, nodeId: config.nodeId }, 'node started');
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof StartupError) {
    console.error(`zap-engine: ${err.message}`);
  } else {
    console.error('zap-engine: failed to start:', err);
  }
  process.exit(1);
});

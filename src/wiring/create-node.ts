import type { Express, Router } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { createApp } from '../app.js';
import type { Config } from '../config/config.js';
import { createEngine, type Engine, type EngineInputs } from './create-engine.js';
import { createServices, type Services } from './create-services.js';
import type { OpenApiContributor } from '../http/openapi/openapi-document.js';
import { metricsRouter } from '../http/routes/metrics-router.js';
import { downloadMessageMedia, mediaInfoOf } from '../engine/media-download.js';
import { authenticate } from '../http/middleware/authenticate.js';
import { EngineEventRouter } from '../services/engine-event-router.js';
import { createMessagingModule, type MessagingModule, type MessagingModuleDeps } from './messaging-module.js';
import type { ZapiSendPort } from '../services/zapi/zapi-ports.js';
import { InstanceStatusRecorder } from '../services/instance-status-recorder.js';
import type { EventNotifier } from '../services/webhooks/event-notifier.js';
import { createWebhooksModule, type WebhooksModule, type WebhooksModuleDeps } from './webhooks-module.js';
import type { Closable } from '../shutdown.js';
import { deleteKeysMatching } from '../persistence/redis/scan-keys.js';

export interface NodeInputs {
  config: Config;
  dataSource: DataSource;
  redis: Redis;
  logger: Logger;
  /** Tests and benchmarks: engine tuning (see EngineInputs). */
  engineOverrides?: Pick<EngineInputs, 'supervisorOverrides' | 'runtimeOverrides'>;
  /** Tests: media storage, DNS lookup, send worker timings. */
  messagingOverrides?: Pick<MessagingModuleDeps, 'storage' | 'lookup' | 'workerTimings'>;
  /** Tests: webhook delivery tuning (claim lease, SSE heartbeat...) and DNS lookup. */
  webhooksOverrides?: Pick<WebhooksModuleDeps, 'tuning' | 'lookup'>;
  /** Tests: skip the process metrics (prom-client's default collectors), e.g. with several nodes in one process. */
  processMetrics?: boolean;
}

/** Everything one process runs, minus the HTTP listener and the Postgres/Redis connections (main.ts owns those). */
export interface ZapNode {
  config: Config;
  services: Services;
  engine: Engine;
  /** Messaging (issue 5): send pipeline, inbound storage, read APIs. */
  messaging: MessagingModule;
  /** Webhooks (issue 6): durable delivery from the outbox, delivery log, redelivery, test event, SSE. */
  webhooks: WebhooksModule;
  /** The engine's event sink: modules add their handlers with `events.register(...)`. */
  events: EngineEventRouter;
  /** prom-client registry behind GET /metrics. */
  registry: Registry;
  /** The Express app (no listen), with every module's routes. */
  app: Express;
  /** Starts the engine (and, later, the workers) for this node's role. */
  start(): Promise<void>;
  /** Shutdown steps after HTTP, in order: workers, then the engine (sockets closed without logout), then queues. */
  shutdownSteps(): Closable[];
}

/**
 * Wires one node: services, the engine and its event sink, the HTTP app. Used by main.ts and by the e2e harness
 * (tests/support/engine-app.ts), so tests run the production wiring. Later modules plug in here:
 *
 *   const messaging = createMessagingModule({ ... });
 *   events.register(messaging.eventHandler);
 *   routers.push(messaging.router);
 *   openApi.push(messaging.openApi);
 *   workerSteps.push({ name: 'send workers', close: () => messaging.close() });
 */
export function createNode(inputs: NodeInputs): ZapNode {
  const { config, dataSource, redis, logger } = inputs;
  const registry = new Registry();
  if (inputs.processMetrics !== false) collectDefaultMetrics({ register: registry, labels: { node: config.nodeId } });

  const events = new EngineEventRouter(logger);

  // The engine needs the repositories (directory, sink) and the services need the engine: repositories first.
  let services: Services | null = null;
  const engine = createEngine({
    config,
    redis,
    logger,
    registry,
    directory: {
      listRunnable: async () => (await requireServices().repositories.instances.listRunnableIds()).map((id) => ({ id })),
    },
    sink: events,
    ...inputs.engineOverrides,
  });
  // The Z-API compat send port is the messaging module's, which needs the services' repositories: bound late, below,
  // before createNode returns (so before any request).
  let zapiSend: ZapiSendPort | null = null;
  const requireZapiSend = (): ZapiSendPort => {
    if (!zapiSend) throw new Error('messaging not wired yet');
    return zapiSend;
  };
  services = createServices({
    config,
    dataSource,
    redis,
    logger,
    lifecycle: engine.control,
    zapiPorts: {
      send: {
        sendText: (input) => requireZapiSend().sendText(input),
        sendMedia: (input) => requireZapiSend().sendMedia(input),
      },
    },
    // DELETE: after the row is gone, every module wipes what it keeps for the instance in Redis.
    purger: { purge: (instanceId) => runPurgers(instanceId) },
  });
  const purgers: Array<{ name: string; purge: (instanceId: string) => Promise<void> }> = [
    {
      name: 'engine',
      purge: async (instanceId) => {
        await engine.purgeAuth(instanceId);
        await requireServices().qrCodes.delete(instanceId);
      },
    },
  ];
  async function runPurgers(instanceId: string): Promise<void> {
    for (const purger of purgers) {
      try {
        await purger.purge(instanceId);
      } catch (err) {
        logger.error({ instanceId, purger: purger.name, err }, 'purging instance state failed');
      }
    }
    // Last, a sweep of any key left that names the instance (ids are random, so nothing else matches): e.g. a
    // BullMQ worker closed right after it started writes its stalled-check once more.
    await new Promise((r) => setTimeout(r, 300));
    try {
      await deleteKeysMatching(redis, `${config.redisPrefix}:*${instanceId}*`);
    } catch (err) {
      logger.error({ instanceId, err }, 'sweeping instance keys failed');
    }
  }
  function requireServices(): Services {
    if (!services) throw new Error('services not wired yet');
    return services;
  }

  // Every writer of outbox events hints this after its commit: delivery runners and SSE streams on every node wake
  // at once (Redis pub/sub); the rows stay the truth and are polled anyway.
  const webhooks = createWebhooksModule({ config, dataSource, redis, logger, auth: services.auth, ...inputs.webhooksOverrides });
  const notifier: EventNotifier = webhooks.notifier;

  events.register(
    new InstanceStatusRecorder({
      instances: services.repositories.instances,
      events: services.repositories.webhookEvents,
      transactions: services.transactions,
      qrCodes: services.qrCodes,
      notifier,
      logger,
    }),
  );

  const routers: Router[] = [];
  const openApi: OpenApiContributor[] = [];
  const workerSteps: Closable[] = [];
  const queueSteps: Closable[] = [];

  const messaging = createMessagingModule({
    config,
    dataSource,
    repositories: services.repositories,
    transactions: services.transactions,
    engine: engine.control,
    downloadMedia: downloadMessageMedia,
    mediaInfoOf,
    authenticate: authenticate(services.auth),
    notifier,
    logger,
    ...inputs.messagingOverrides,
  });
  zapiSend = messaging.zapiSend;
  events.register(messaging.eventHandler);
  routers.push(messaging.router);
  openApi.push(messaging.openApi);
  workerSteps.push({ name: 'messaging', close: () => messaging.close() });
  purgers.push({
    name: 'messaging',
    // The instance's send worker on this node, then its queue; other nodes' idle workers go with the key sweep.
    purge: async (instanceId) => {
      await messaging.workers?.stop(instanceId, { force: true });
      await messaging.queue.removeInstance(instanceId);
    },
  });
  routers.push(webhooks.router);
  openApi.push(webhooks.openApi);
  workerSteps.push({ name: 'webhooks', close: () => webhooks.close() });
  if (config.metricsToken !== null || !config.isProduction) {
    routers.push(metricsRouter({ registry, token: config.metricsToken }));
  }

  const app = createApp({ config, logger, services, extraRouters: routers, openApi });
  return {
    config,
    services,
    engine,
    messaging,
    webhooks,
    events,
    registry,
    app,
    async start() {
      if (config.role === 'worker' || config.role === 'all') logger.info({ role: config.role }, 'engine starting (runs sockets)');
      await engine.start();
      await messaging.start();
      // The delivery runner works the outbox on worker nodes; api nodes only serve the log, replay and SSE routes.
      if (config.role === 'worker' || config.role === 'all') await webhooks.start();
    },
    shutdownSteps: () => [...workerSteps, { name: 'engine', close: () => engine.close() }, ...queueSteps],
  };
}

import type { Express, Router } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { createApp } from '../app.js';
import { UploadGate } from '../http/uploads/upload-gate.js';
import type { Config } from '../config/config.js';
import { createEngine, type Engine, type EngineInputs } from './create-engine.js';
import { createServices, type Services } from './create-services.js';
import { TokenRevocationStore } from '../persistence/redis/token-revocation-store.js';
import type { OpenApiContributor } from '../http/openapi/openapi-document.js';
import { metricsRouter } from '../http/routes/metrics-router.js';
import { registerProfileRoutes } from '../http/openapi/profiles-openapi.js';
import { profilesRouter } from '../http/routes/profiles-router.js';
import { ProfilesService } from '../services/profiles-service.js';
import { downloadMessageMedia, mediaInfoOf } from '../engine/media-download.js';
import { authenticate } from '../http/middleware/authenticate.js';
import { EngineEventRouter } from '../services/engine-event-router.js';
import { GroupsService } from '../services/groups/groups-service.js';
import { groupsRouter } from '../http/routes/groups-router.js';
import { registerGroupRoutes } from '../http/openapi/groups-openapi.js';
import { createMessagingModule, type MessagingModule, type MessagingModuleDeps } from './messaging-module.js';
import { InstanceStatusRecorder } from '../services/instance-status-recorder.js';
import type { EventNotifier } from '../services/webhooks/event-notifier.js';
import { createWebhooksModule, type WebhooksModule, type WebhooksModuleDeps } from './webhooks-module.js';
import type { Closable } from '../shutdown.js';
import { InstancePurge } from '../services/instance-purge.js';
import { createPersistence } from './create-repositories.js';

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
  /** Messaging: send pipeline, inbound storage, read APIs. */
  messaging: MessagingModule;
  /** Webhooks: durable delivery from the outbox, delivery log, redelivery, test event, SSE. */
  webhooks: WebhooksModule;
  /** The engine's event sink: modules add their handlers with `events.register(...)`. */
  events: EngineEventRouter;
  /** prom-client registry behind GET /metrics. */
  registry: Registry;
  /** The Express app (no listen), with every module's routes. */
  app: Express;
  /** Starts the engine, then the send pipeline and (worker/all) the webhook delivery runner. */
  start(): Promise<void>;
  /** Shutdown steps after HTTP, in order: workers, then the engine (sockets closed without logout), then the queues. */
  shutdownSteps(): Closable[];
}

/**
 * Wires one node, in dependency order with no late binding: repositories (built once), then the engine, then the
 * send pipeline and webhooks, then the services, then one authenticate middleware and the HTTP app. Used by
 * main.ts and by the e2e harness (tests/support/engine-app.ts), so tests run the production wiring.
 */
export function createNode(inputs: NodeInputs): ZapNode {
  const { config, dataSource, redis, logger } = inputs;
  const registry = new Registry();
  if (inputs.processMetrics !== false) collectDefaultMetrics({ register: registry, labels: { node: config.nodeId } });

  // 1. Repositories and Redis stores, once.
  const persistence = createPersistence({ dataSource, redis, redisPrefix: config.redisPrefix });
  const { repositories } = persistence;

  // 2. The engine: reads which instances should run, reports to the event router.
  const events = new EngineEventRouter(logger);
  const engine = createEngine({
    config,
    redis,
    logger,
    registry,
    directory: { listRunnable: async () => (await repositories.instances.listRunnableIds()).map((id) => ({ id })) },
    sink: events,
    ...inputs.engineOverrides,
  });

  // 3. Webhooks (the outbox notifier every event writer hints after its commit), then messaging over the engine.
  const webhooks = createWebhooksModule({ config, dataSource, redis, logger, repositories, ...inputs.webhooksOverrides });
  const notifier: EventNotifier = webhooks.notifier;
  const messaging = createMessagingModule({
    config,
    repositories,
    transactions: persistence.transactions,
    engine: engine.control,
    downloadMedia: downloadMessageMedia,
    mediaInfoOf,
    notifier,
    logger,
    inboundJournal: engine.inbound,
    isLocal: engine.supervisor ? (instanceId) => engine.supervisor?.localStatus(instanceId) != null : undefined,
    ...inputs.messagingOverrides,
  });

  // 4. The services, with the engine as the instances' lifecycle and the purge of what each part keeps.
  const purger = new InstancePurge({
    steps: [
      {
        name: 'engine',
        purge: async (instanceId) => {
          await engine.purgeAuth(instanceId);
          await persistence.qrCodes.delete(instanceId);
        },
      },
      { name: 'messaging', purge: (instanceId) => messaging.sendWorkers.remove(instanceId) },
    ],
    redis,
    keyPrefix: config.redisPrefix,
    logger,
  });
  // Session checks remember "not revoked" while a subscription hears every revocation (one Redis read less per request).
  const revocations = new TokenRevocationStore(redis, persistence.redisKeys, { logger: logger.child({ component: 'auth' }) });
  const services = createServices({
    config,
    dataSource,
    redis,
    logger,
    persistence,
    revocations,
    lifecycle: engine.control,
    purger,
    zapiPorts: { send: messaging.zapiSend },
  });

  events.register(
    new InstanceStatusRecorder({
      instances: repositories.instances,
      events: repositories.webhookEvents,
      transactions: persistence.transactions,
      qrCodes: persistence.qrCodes,
      notifier,
      logger,
    }),
  );
  events.register(messaging.eventHandler);

  // 5. HTTP: one authenticate for every router.
  const auth = authenticate(services.auth);
  // One upload gate (slots per tenant and node, staging on the media disk) for both send-media routes.
  const uploads = new UploadGate({ mediaDir: config.mediaDir, limits: config.uploadLimits });
  const groups = new GroupsService({
    instances: repositories.instances,
    chats: repositories.chats,
    engine: engine.control,
    limits: config.mediaLimits,
    allowPrivateUrls: config.mediaAllowPrivateUrls,
    mediaFetchTimeoutMs: config.mediaFetchTimeoutMs,
    ...(inputs.messagingOverrides?.lookup ? { lookup: inputs.messagingOverrides.lookup } : {}),
    logger,
  });
  const profiles = new ProfilesService({
    instances: repositories.instances,
    engine: engine.control,
    mediaLimits: config.mediaLimits,
    allowPrivateUrls: config.mediaAllowPrivateUrls,
    fetchTimeoutMs: config.mediaFetchTimeoutMs,
    logger,
  });
  const routers: Router[] = [
    messaging.router(auth, uploads),
    webhooks.router(auth),
    groupsRouter({ groups, authenticate: auth }),
    profilesRouter({ profiles, authenticate: auth, maxPictureBytes: config.mediaLimits.image }),
  ];
  const openApi: OpenApiContributor[] = [messaging.openApi, webhooks.openApi, registerGroupRoutes, registerProfileRoutes];
  if (config.metricsToken !== null || !config.isProduction) {
    routers.push(metricsRouter({ registry, token: config.metricsToken }));
  }
  const app = createApp({ config, logger, services, authenticate: auth, extraRouters: routers, openApi, uploads });

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
      // Uploads staged by a node that crashed mid-upload (six hours: far longer than any upload in progress).
      const swept = await uploads.sweepStale(6 * 3600_000);
      if (swept > 0) logger.info({ swept }, 'removed stale staged uploads');
      // The delivery runner works the outbox on worker nodes; api nodes only serve the log, replay and SSE routes.
      if (config.role === 'worker' || config.role === 'all') await webhooks.start();
    },
    // Workers first (send workers and media downloads, the delivery runner), then the engine (sockets closed without
    // logout, leases released), then the send queues and their connection.
    shutdownSteps: () => [
      { name: 'send workers', close: () => messaging.closeWorkers() },
      { name: 'webhooks', close: () => webhooks.close() },
      { name: 'engine', close: () => engine.close() },
      { name: 'send queues', close: () => messaging.close() },
      { name: 'token revocations', close: () => revocations.close() },
    ],
  };
}

import type { RequestHandler, Router } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Config } from '../config/config.js';
import type { OpenApiContributor } from '../http/openapi/openapi-document.js';
import { registerWebhookRoutes } from '../http/openapi/webhooks-openapi.js';
import { webhooksRouter } from '../http/routes/webhooks-router.js';
import { PinnedAgents } from '../net/pinned-agents.js';
import type { HostLookup } from '../net/url-guard.js';
import { RedisEventChannel } from '../persistence/redis/event-channel.js';
import { RedisKeys } from '../persistence/redis/redis-keys.js';
import { InstanceRepository } from '../persistence/repositories/instance-repository.js';
import { WebhookDeliveryRepository } from '../persistence/repositories/webhook-delivery-repository.js';
import { WebhookEventRepository } from '../persistence/repositories/webhook-event-repository.js';
import { WebhookSecretRepository } from '../persistence/repositories/webhook-secret-repository.js';
import { EventStreams } from '../services/webhooks/event-stream.js';
import type { EventNotifier } from '../services/webhooks/event-notifier.js';
import { createRetryPolicy } from '../services/webhooks/retry-policy.js';
import { WebhookDeliveryRunner } from '../services/webhooks/webhook-delivery-runner.js';
import { WebhookSecrets } from '../services/webhooks/webhook-secrets.js';
import { WebhooksService } from '../services/webhooks/webhooks-service.js';

export type WebhooksConfig = Pick<
  Config,
  | 'redisPrefix'
  | 'encryptionKey'
  | 'webhookAllowPrivateUrls'
  | 'webhookTimeoutMs'
  | 'webhookMaxAttempts'
  | 'webhookBackoffBaseMs'
  | 'webhookBackoffMaxMs'
  | 'webhookConcurrency'
  | 'webhookPollIntervalMs'
  | 'streamLimits'
>;

export interface WebhooksModuleDeps {
  config: WebhooksConfig;
  dataSource: DataSource;
  /** The shared connection (publishing); listening takes a duplicate. */
  redis: Redis;
  logger: Logger;
  /** Built once by the node (create-repositories.ts); built here when absent (tests, the runner child). */
  repositories?: WebhooksRepositories;
  lookup?: HostLookup;
  tuning?: WebhooksTuning;
}

/** Knobs with production defaults; tests shorten them. */
export interface WebhooksTuning {
  /** Claim lease (default WEBHOOK_TIMEOUT_MS + 30 s): how long a dead node's deliveries wait before another retries them. */
  leaseMs?: number;
  /** Attempts in flight to one host per node (default half of WEBHOOK_CONCURRENCY). */
  perHostLimit?: number;
  /** How long close() waits for attempts in flight before aborting them (default 5 s). */
  closeGraceMs?: number;
  /** SSE keep-alive comment interval (default 15 s). */
  heartbeatMs?: number;
  /** SSE fallback check when a notification is lost, one query per node (default 5 s). */
  streamPollMs?: number;
  /** Most events replayed to an SSE client resuming with Last-Event-ID (default 1,000). */
  replayWindow?: number;
  /** Delivered events are pruned after this (default 7 days); failed deliveries stay. */
  retentionMs?: number;
}

export interface WebhooksRepositories {
  instances: InstanceRepository;
  webhookDeliveries: WebhookDeliveryRepository;
  webhookEvents: WebhookEventRepository;
  webhookSecrets: WebhookSecretRepository;
}

export interface WebhooksModule {
  /** Secret rotation, delivery log, redelivery, test event, SSE, behind the node's authenticate. Mount with createApp's `extraRouters`. */
  router(authenticate: RequestHandler): Router;
  openApi: OpenApiContributor;
  /** Give to every writer of outbox events: wakes runners and SSE streams on every node after a commit. */
  notifier: EventNotifier;
  service: WebhooksService;
  runner: WebhookDeliveryRunner;
  /** Live SSE streams open on this node. */
  streamCount(): number;
  /** Ends every live SSE stream (call before closing the HTTP server, which waits for open responses). */
  endStreams(): void;
  /** Starts the delivery runner (roles worker and all). */
  start(): Promise<void>;
  /** Stops the runner, closes live streams and the Redis subscriber. Safe to call twice. */
  close(): Promise<void>;
}

/** Wires the webhooks feature: one durable mechanism (outbox rows polled with SKIP LOCKED, woken by Redis pub/sub). */
export function createWebhooksModule(deps: WebhooksModuleDeps): WebhooksModule {
  const { config, dataSource, redis, logger } = deps;
  const log = logger.child({ component: 'webhooks' });
  const channel = new RedisEventChannel(redis, new RedisKeys(config.redisPrefix), log);
  const secrets = new WebhookSecrets(config.encryptionKey);
  const repos: WebhooksRepositories = deps.repositories ?? {
    instances: new InstanceRepository(dataSource),
    webhookDeliveries: new WebhookDeliveryRepository(dataSource),
    webhookEvents: new WebhookEventRepository(dataSource),
    webhookSecrets: new WebhookSecretRepository(dataSource),
  };
  const deliveries = repos.webhookDeliveries;
  const events = repos.webhookEvents;
  const service = new WebhooksService({
    instances: repos.instances,
    deliveries,
    secretRows: repos.webhookSecrets,
    secrets,
    logger: log,
    notifyDue: () => channel.notifyDue(),
    timeoutMs: config.webhookTimeoutMs,
    allowPrivate: config.webhookAllowPrivateUrls,
    lookup: deps.lookup,
  });
  const tuning = deps.tuning ?? {};
  // Connections to receivers are kept open between deliveries (pooled per vetted address).
  const agents = new PinnedAgents({ maxSocketsPerOrigin: config.webhookConcurrency });
  const runner = new WebhookDeliveryRunner({
    deliveries,
    secrets: (sealed) => service.openSecrets(sealed),
    policy: createRetryPolicy({
      maxAttempts: config.webhookMaxAttempts,
      baseDelayMs: config.webhookBackoffBaseMs,
      maxDelayMs: config.webhookBackoffMaxMs,
    }),
    logger: log,
    timeoutMs: config.webhookTimeoutMs,
    concurrency: config.webhookConcurrency,
    perHostLimit: tuning.perHostLimit,
    pollIntervalMs: config.webhookPollIntervalMs,
    leaseMs: tuning.leaseMs,
    allowPrivate: config.webhookAllowPrivateUrls,
    lookup: deps.lookup,
    agents,
    closeGraceMs: tuning.closeGraceMs,
    // Events that made no delivery (no webhook URL, not subscribed) need no claim query.
    subscribe: (wake) =>
      channel.listen((signal) => {
        if (signal.kind === 'due' || signal.deliveries !== 0) wake();
      }),
  });
  const streams = new EventStreams({
    events,
    subscribe: (instanceId, wake) =>
      channel.listen((signal) => {
        if (signal.kind === 'appended' && signal.instanceId === instanceId) wake();
      }),
    logger: log,
    replayWindow: tuning.replayWindow ?? 1000,
    heartbeatMs: tuning.heartbeatMs ?? 15_000,
    pollMs: tuning.streamPollMs ?? 5000,
    limits: config.streamLimits,
  });
  // Housekeeping on worker nodes: delivered events older than the retention go (failed ones stay as dead letters).
  const retentionMs = tuning.retentionMs ?? 7 * 24 * 3600_000;
  let pruneTimer: NodeJS.Timeout | undefined;
  const prune = async () => {
    try {
      const removed = await events.prune(new Date(Date.now() - retentionMs));
      if (removed > 0) log.info({ removed }, 'pruned delivered webhook events');
    } catch (err) {
      log.warn({ err }, 'pruning webhook events failed');
    }
  };
  let closed = false;
  return {
    router: (authenticate) => webhooksRouter({ webhooks: service, streams, authenticate }),
    openApi: registerWebhookRoutes,
    notifier: channel,
    service,
    runner,
    streamCount: () => streams.size,
    endStreams: () => streams.closeAll(),
    async start() {
      await runner.start();
      pruneTimer ??= setInterval(() => void prune(), 3600_000).unref();
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(pruneTimer);
      for (const step of [() => runner.close(), async () => agents.close(), async () => streams.closeAll(), () => channel.close()]) {
        try {
          await step();
        } catch (err) {
          log.warn({ err }, 'closing the webhooks module: a step failed');
        }
      }
    },
  };
}

import type { RequestHandler, Router } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { EngineEvent, InboundSettlement, JsonObject, StatusChange } from '../engine/engine-types.js';
import { registerLidRoutes } from '../http/openapi/lids-openapi.js';
import { registerMessageKindRoutes } from '../http/openapi/message-kinds-openapi.js';
import { registerMessageRoutes } from '../http/openapi/messages-openapi.js';
import type { OpenApiContributor } from '../http/openapi/openapi-document.js';
import { lidsRouter } from '../http/routes/lids-router.js';
import { messagesRouter } from '../http/routes/messages-router.js';
import { UploadGate } from '../http/uploads/upload-gate.js';
import type { HostLookup } from '../net/url-guard.js';
import { BatchedStatusMoves } from '../persistence/batched-status-moves.js';
import type { ChatRepository } from '../persistence/repositories/chat-repository.js';
import type { ContactRepository } from '../persistence/repositories/contact-repository.js';
import type { IdempotencyRepository } from '../persistence/repositories/idempotency-repository.js';
import type { InstanceRepository } from '../persistence/repositories/instance-repository.js';
import type { LidMappingRepository } from '../persistence/repositories/lid-mapping-repository.js';
import type { MessageKindsRepository } from '../persistence/repositories/message-kinds-repository.js';
import type { MessageRepository } from '../persistence/repositories/message-repository.js';
import type { WebhookEventRepository } from '../persistence/repositories/webhook-event-repository.js';
import type { StatusMoveRepository } from '../persistence/repositories/status-move-repository.js';
import type { TransactionRunner } from '../persistence/transaction-runner.js';
import { createQueueConnection } from '../queues/queue-connection.js';
import { QueueNaming } from '../queues/queue-naming.js';
import { InstanceSendWorkers } from '../queues/instance-send-workers.js';
import { SendQueue } from '../queues/send-queue.js';
import { SendWorkerPool } from '../queues/send-worker-pool.js';
import type { ZapiSendPort } from '../services/zapi/zapi-ports.js';
import { messagingZapiSend } from '../services/zapi/messaging-send-port.js';
import { requeueAccepted } from '../services/messages/requeue-accepted.js';
import { AcceptBatcher } from '../services/messages/accept-batcher.js';
import { sendPipelineOnStatus } from '../services/messages/send-pipeline-on-status.js';
import type { EventNotifier } from '../services/webhooks/event-notifier.js';
import { WhatsAppReportRecorder } from '../services/messages/whatsapp-report-recorder.js';
import { InboundMediaStore } from '../services/messages/inbound-media-store.js';
import { LocalDiskMediaStorage, type MediaStorage } from '../services/messages/media-storage.js';
import { EngineMessageSender } from '../services/messages/message-sender.js';
import { MessageStatusRecorder } from '../services/messages/message-status-recorder.js';
import type { MediaDownloader, MessagingEngine } from '../services/messages/messaging-ports.js';
import { ChatActions } from '../services/messages/chat-actions.js';
import { MessageQueries } from '../services/messages/message-queries.js';
import { MessagingService } from '../services/messages/messaging-service.js';
import { LidDirectory } from '../services/messages/lid-directory.js';
import { LidLookup } from '../services/messages/lid-lookup.js';
import { MessageKindsService } from '../services/messages/kinds/message-kinds-service.js';
import { PollVoteRecorder } from '../services/messages/kinds/poll-vote-recorder.js';
import { ActionEffects } from '../services/messages/kinds/action-effects.js';

export type MessagingConfig = Pick<
  Config,
  | 'role'
  | 'redisUrl'
  | 'redisPrefix'
  | 'nodeId'
  | 'sendRateLimit'
  | 'sendNotConnectedMaxWaitMs'
  | 'sendMaxAttempts'
  | 'sendJobLockMs'
  | 'mediaLimits'
  | 'mediaFetchTimeoutMs'
  | 'mediaDir'
  | 'mediaAllowPrivateUrls'
  | 'uploadLimits'
>;

export interface MessagingModuleDeps {
  config: MessagingConfig;
  repositories: {
    instances: InstanceRepository;
    messages: MessageRepository;
    statusMoves: StatusMoveRepository;
    messageKinds: MessageKindsRepository;
    idempotency: IdempotencyRepository;
    contacts: ContactRepository;
    chats: ChatRepository;
    webhookEvents: WebhookEventRepository;
    lidMappings: LidMappingRepository;
  };
  transactions: TransactionRunner;
  /** EngineControl: commands routed to the owning node. */
  engine: MessagingEngine;
  /** The engine's downloadMessageMedia and mediaInfoOf (plain functions). */
  downloadMedia: MediaDownloader;
  mediaInfoOf: WhatsAppReportRecorderMediaInfo;
  notifier: EventNotifier;
  logger: Logger;
  /** The engine's inbound journal: told when each reported inbound message is stored. */
  inboundJournal?: InboundSettlement;
  /** Defaults to LocalDiskMediaStorage(config.mediaDir). */
  storage?: MediaStorage;
  lookup?: HostLookup;
  /** Whether the instance's socket runs on this node (the engine supervisor); the send lanes leave other instances' jobs to their node. */
  isLocal?: (instanceId: string) => boolean;
  /** Tests: worker lock/stall timings (a killed worker's job is taken again after the lock expires). */
  workerTimings?: { lockDurationMs?: number; stalledIntervalMs?: number };
}

type WhatsAppReportRecorderMediaInfo = (message: JsonObject | null) => ReturnType<ConstructorParameters<typeof WhatsAppReportRecorder>[0]['mediaInfoOf']>;

export interface MessagingModule {
  /** The /whatsapp message routes, behind the node's one authenticate middleware. */
  router(authenticate: RequestHandler, uploads?: UploadGate): Router;
  /** The routes of `router` in the OpenAPI document. */
  openApi: OpenApiContributor;
  /** Register on the EngineEventRouter: stores inbound data, drives statuses, starts/stops send workers. */
  eventHandler: {
    readonly name: string;
    onStatus(instanceId: string, change: StatusChange): Promise<void>;
    onEvent(instanceId: string, event: EngineEvent): Promise<void>;
  };
  service: MessagingService;
  /** Location, contacts, sticker, poll, react, edit, delete, forward. */
  kinds: MessageKindsService;
  queue: SendQueue;
  workers: SendWorkerPool | null;
  /** Per-instance queue preparation and worker start on this node. */
  sendWorkers: InstanceSendWorkers;
  inboundMedia: InboundMediaStore;
  /** The Z-API compatibility surface's send port. */
  zapiSend: ZapiSendPort;
  /** Fails the instance's pending messages (disconnect, delete). */
  failPending(instanceId: string, reason: string): Promise<number>;
  start(): Promise<void>;
  /** Stops the workers (after their current job) and the media downloads; the queues stay open. Safe twice. */
  closeWorkers(): Promise<void>;
  /**
   * closeWorkers(), then the accepts in progress and the status moves still waiting for their batch (call after the
   * engine closed: receipts move statuses too), then the send queues and their connection. Before the database
   * closes. Safe twice.
   */
  close(): Promise<void>;
}

/**
 * Messaging, wired: the HTTP routes, the durable send pipeline (a few BullMQ send lanes shared by every instance,
 * one Worker per lane on each node with sockets; order and pacing per instance kept by send-processor.ts), the
 * status recorder, the inbound handler for the engine's events, and the media storage.
 *
 * A node with sockets (ROLE=worker/all) sends for an instance once it reports a status for it or accepts a message
 * for it, and only while the instance's socket runs there (`isLocal`): jobs of instances owned elsewhere are parked
 * for their owner, so two nodes never send for one instance at once.
 */
export function createMessagingModule(deps: MessagingModuleDeps): MessagingModule {
  const { config, repositories: repos, logger } = deps;
  const log = logger.child({ component: 'messaging' });
  const storage = deps.storage ?? new LocalDiskMediaStorage(config.mediaDir);
  const connection = createQueueConnection(config.redisUrl, { connectionName: `zap:${config.nodeId}:send` });
  connection.on('error', (err: Error) => log.warn({ err: err.message }, 'send queue connection error'));
  const naming = new QueueNaming(config.redisPrefix);
  const lids = new LidDirectory({ mappings: repos.lidMappings, logger: log });
  const moves = new BatchedStatusMoves({ moves: repos.statusMoves, messages: repos.messages, logger: log });
  const statuses = new MessageStatusRecorder({
    moves,
    notifier: deps.notifier,
    logger: log,
  });
  const effects = new ActionEffects({
    messages: repos.messages,
    events: repos.webhookEvents,
    transactions: deps.transactions,
    notifier: deps.notifier,
    logger: log,
  });
  const sink = effects.wrap(statuses);
  const queue = new SendQueue({
    connection,
    naming,
    sink,
    logger: log,
    settings: {
      rateLimit: config.sendRateLimit,
      notConnectedMaxWaitMs: config.sendNotConnectedMaxWaitMs,
      maxAttempts: config.sendMaxAttempts,
    },
  });
  const runsWorkers = config.role === 'worker' || config.role === 'all';
  const workers = runsWorkers
    ? new SendWorkerPool({
        connection,
        naming,
        queue,
        sink,
        logger: log,
        sender: new EngineMessageSender({
          engine: deps.engine,
          messages: repos.messages,
          lids,
          storage,
          limits: config.mediaLimits,
          fetchTimeoutMs: config.mediaFetchTimeoutMs,
          allowPrivateUrls: config.mediaAllowPrivateUrls,
          lookup: deps.lookup,
          logger: log,
        }),
        isLocal: deps.isLocal,
        lockDurationMs: config.sendJobLockMs,
        stalledIntervalMs: config.sendJobLockMs,
        ...deps.workerTimings,
      })
    : null;

  const sendWorkers = new InstanceSendWorkers(queue, workers);
  let closed = false;
  let queuesClosed = false;
  const runSteps = async (steps: Array<[string, () => Promise<unknown>]>): Promise<void> => {
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (err) {
        log.warn({ step: name, err }, 'messaging close step failed');
      }
    }
  };
  /** Shutdown, first part: no worker starts any more, running ones finish their job, media downloads stop. */
  const closeWorkers = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    sendWorkers.stopStarting();
    await runSteps([
      ['send workers', () => workers?.close() ?? Promise.resolve()],
      ['inbound media', () => inboundMedia.close()],
    ]);
  };

  // Accepts without an Idempotency-Key: one statement and one addBulk for the sends of a moment (issue 14).
  const acceptBatcher = new AcceptBatcher({ messages: repos.messages, queue, logger: log });
  const service = new MessagingService({
    instances: repos.instances,
    messages: repos.messages,
    lids,
    idempotency: repos.idempotency,
    transactions: deps.transactions,
    queue: { enqueueSend: (payload) => sendWorkers.enqueueSend(payload) },
    batcher: acceptBatcher,
    storage,
    limits: config.mediaLimits,
    allowPrivateUrls: config.mediaAllowPrivateUrls,
    lookup: deps.lookup,
    logger: log,
    onEnqueued: (instanceId) => sendWorkers.ensure(instanceId),
  });
  const queries = new MessageQueries({
    instances: repos.instances,
    messages: repos.messages,
    contacts: repos.contacts,
    chats: repos.chats,
    storage,
    lids,
  });
  const chatActions = new ChatActions({
    instances: repos.instances,
    messages: repos.messages,
    chats: repos.chats,
    transactions: deps.transactions,
    engine: deps.engine,
    lids,
  });

  const kinds = new MessageKindsService({
    messaging: service,
    instances: repos.instances,
    messages: repos.messages,
    kinds: repos.messageKinds,
    storage,
    limits: config.mediaLimits,
    allowPrivateUrls: config.mediaAllowPrivateUrls,
    lookup: deps.lookup,
    logger: log,
  });

  const polls = new PollVoteRecorder({
    messages: repos.messages,
    kinds: repos.messageKinds,
    events: repos.webhookEvents,
    transactions: deps.transactions,
    notifier: deps.notifier,
    engine: deps.engine,
    logger: log,
  });

  const inboundMedia = new InboundMediaStore({
    messages: repos.messages,
    storage,
    download: deps.downloadMedia,
    limits: config.mediaLimits,
    timeoutMs: config.mediaFetchTimeoutMs,
    logger: log,
  });

  const failPending = (instanceId: string, reason: string): Promise<number> => sendWorkers.failPending(instanceId, reason);

  const inbound = new WhatsAppReportRecorder({
    messages: repos.messages,
    contacts: repos.contacts,
    chats: repos.chats,
    events: repos.webhookEvents,
    transactions: deps.transactions,
    notifier: deps.notifier,
    statuses,
    media: inboundMedia,
    lids,
    mediaInfoOf: deps.mediaInfoOf,
    polls,
    logger: log,
    onStatus: sendPipelineOnStatus(sendWorkers, lids),
    ...(deps.inboundJournal ? { journal: deps.inboundJournal } : {}),
  });

  const lidLookup = new LidLookup({ instances: repos.instances, mappings: repos.lidMappings, contacts: repos.contacts });
  const maxUploadBytes = Math.max(...Object.values(config.mediaLimits));
  const zapiSend: ZapiSendPort = messagingZapiSend(service, repos.instances);

  return {
    router: (authenticate, uploads) => {
      const router = messagesRouter({
        messaging: service,
        queries,
        chatActions,
        kinds,
        authenticate,
        maxUploadBytes,
        uploads: uploads ?? new UploadGate({ mediaDir: config.mediaDir, limits: config.uploadLimits }),
      });
      router.use(lidsRouter({ lids: lidLookup })); // behind messagesRouter's authenticate
      return router;
    },
    openApi: (registry) => {
      registerMessageRoutes(registry);
      registerMessageKindRoutes(registry);
      registerLidRoutes(registry);
    },
    eventHandler: {
      name: 'messaging',
      onStatus: (instanceId, change) => inbound.onStatus(instanceId, change),
      onEvent: (instanceId, event) => inbound.onEvent(instanceId, event),
    },
    service,
    kinds,
    queue,
    workers,
    sendWorkers,
    inboundMedia,
    zapiSend,
    failPending,
    async start() {
      if (!runsWorkers) return;
      const recovered = await inboundMedia.recover();
      if (recovered > 0) log.info({ recovered }, 'inbound media downloads resumed');
      const requeued = await requeueAccepted({ messages: repos.messages, queue, sendWorkers, logger: log });
      if (requeued > 0) log.info({ requeued }, 'accepted messages without a job enqueued again');
    },
    closeWorkers,
    async close() {
      await closeWorkers();
      if (queuesClosed) return;
      queuesClosed = true;
      await runSteps([
        // Accepts already submitted are stored and enqueued before the queues close (HTTP stopped first).
        ['accept batcher', () => acceptBatcher.close()],
        ['status moves', () => moves.close()],
        ['send queues', () => queue.close()],
        ['queue connection', () => connection.quit()],
      ]);
    },
  };
}

import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { QrCodeStore } from '../persistence/redis/qr-code-store.js';
import { RedisKeys } from '../persistence/redis/redis-keys.js';
import { ApiKeyRepository } from '../persistence/repositories/api-key-repository.js';
import { ChatRepository } from '../persistence/repositories/chat-repository.js';
import { ContactRepository } from '../persistence/repositories/contact-repository.js';
import { IdempotencyRepository } from '../persistence/repositories/idempotency-repository.js';
import { InstanceRepository } from '../persistence/repositories/instance-repository.js';
import { LidMappingRepository } from '../persistence/repositories/lid-mapping-repository.js';
import { MessageRepository } from '../persistence/repositories/message-repository.js';
import { MessageKindsRepository } from '../persistence/repositories/message-kinds-repository.js';
import { StatusMoveRepository } from '../persistence/repositories/status-move-repository.js';
import { TenantRepository } from '../persistence/repositories/tenant-repository.js';
import { UserRepository } from '../persistence/repositories/user-repository.js';
import { WebhookDeliveryRepository } from '../persistence/repositories/webhook-delivery-repository.js';
import { WebhookEventRepository } from '../persistence/repositories/webhook-event-repository.js';
import { WebhookSecretRepository } from '../persistence/repositories/webhook-secret-repository.js';
import { TransactionRunner } from '../persistence/transaction-runner.js';

/** Every repository and Redis store of one node, built once (first step of the wiring). */
export interface Repositories {
  tenants: TenantRepository;
  users: UserRepository;
  apiKeys: ApiKeyRepository;
  instances: InstanceRepository;
  contacts: ContactRepository;
  chats: ChatRepository;
  messages: MessageRepository;
  /** Many status moves in one statement (BatchedStatusMoves). */
  statusMoves: StatusMoveRepository;
  messageKinds: MessageKindsRepository;
  idempotency: IdempotencyRepository;
  webhookEvents: WebhookEventRepository;
  webhookDeliveries: WebhookDeliveryRepository;
  webhookSecrets: WebhookSecretRepository;
  lidMappings: LidMappingRepository;
}

export interface Persistence {
  repositories: Repositories;
  transactions: TransactionRunner;
  /** The current QR of each instance (written by the engine's status recorder, read by the API). */
  qrCodes: QrCodeStore;
  redisKeys: RedisKeys;
}

export function createPersistence(inputs: { dataSource: DataSource; redis: Redis; redisPrefix: string }): Persistence {
  const { dataSource, redis } = inputs;
  const redisKeys = new RedisKeys(inputs.redisPrefix);
  return {
    repositories: {
      tenants: new TenantRepository(dataSource),
      users: new UserRepository(dataSource),
      apiKeys: new ApiKeyRepository(dataSource),
      instances: new InstanceRepository(dataSource),
      contacts: new ContactRepository(dataSource),
      chats: new ChatRepository(dataSource),
      messages: new MessageRepository(dataSource),
      statusMoves: new StatusMoveRepository(dataSource),
      messageKinds: new MessageKindsRepository(dataSource),
      idempotency: new IdempotencyRepository(dataSource),
      webhookEvents: new WebhookEventRepository(dataSource),
      webhookDeliveries: new WebhookDeliveryRepository(dataSource),
      webhookSecrets: new WebhookSecretRepository(dataSource),
      lidMappings: new LidMappingRepository(dataSource),
    },
    transactions: new TransactionRunner(dataSource),
    qrCodes: new QrCodeStore(redis, redisKeys),
    redisKeys,
  };
}

import { ApiKeyEntity } from './entities/api-key.entity.js';
import { ChatEntity } from './entities/chat.entity.js';
import { ContactEntity } from './entities/contact.entity.js';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity.js';
import { InstanceEventSequenceEntity } from './entities/instance-event-sequence.entity.js';
import { InstanceEntity } from './entities/instance.entity.js';
import { LidMappingEntity } from './entities/lid-mapping.entity.js';
import { MessageEntity } from './entities/message.entity.js';
import { TenantEntity } from './entities/tenant.entity.js';
import { UserEntity } from './entities/user.entity.js';
import { WebhookDeliveryEntity } from './entities/webhook-delivery.entity.js';
import { WebhookEventEntity } from './entities/webhook-event.entity.js';

/** Every entity the data source knows; later issues append theirs here. */
export const entities = [
  TenantEntity,
  UserEntity,
  ApiKeyEntity,
  InstanceEntity,
  // Messaging and webhooks.
  ContactEntity,
  ChatEntity,
  MessageEntity,
  IdempotencyKeyEntity,
  InstanceEventSequenceEntity,
  WebhookEventEntity,
  WebhookDeliveryEntity,
  // Message kinds and LID addressing.
  LidMappingEntity,
];

import { z } from 'zod';
import { webhookEventSchema } from '../../services/webhooks/webhook-events.js';
import { WEBHOOK_DELIVERY_STATUSES } from '../../services/webhooks/webhooks-service.js';
import { INSTANCE_ID_PATTERN } from '../../services/ids.js';
import { success, timestamp } from './common-schemas.js';

const instanceId = z.string().regex(INSTANCE_ID_PATTERN, 'must look like inst_xxxxxxxxxxxx');

export const DeliveryParamsSchema = z.object({
  instanceId,
  deliveryId: z.string().regex(/^whd_[A-Za-z0-9_-]{8,64}$/, 'must look like whd_xxxxxxxxxxxxxxxx'),
});

const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);

export const DeliveriesQuerySchema = z.strictObject({
  status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional(),
  event: z.string().min(1).max(100).optional(),
  page: positiveInt(1_000_000).optional(),
  pageSize: positiveInt(100).optional(),
});

export const WebhookDeliverySchema = z
  .object({
    id: z.string().meta({ example: 'whd_Jf3k9QmZpL2xV8aT' }),
    eventId: z.string().meta({ description: 'The body `id` and X-Webhook-Id (the same on every attempt)' }),
    event: z.string().meta({ example: 'messages.upsert' }),
    url: z.string(),
    status: z.enum(WEBHOOK_DELIVERY_STATUSES),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    lastAttemptAt: timestamp.nullable(),
    nextAttemptAt: timestamp.nullable().meta({ description: 'pending: when the next attempt is due' }),
    deliveredAt: timestamp.nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'WebhookDelivery' });

export const WebhookDeliveryListResponseSchema = z
  .object({
    success: z.literal(true),
    data: z.array(WebhookDeliverySchema),
    pagination: z.object({ page: z.number().int(), pageSize: z.number().int(), total: z.number().int() }),
  })
  .meta({ id: 'WebhookDeliveryListResponse' });

export const WebhookDeliveryResponseSchema = success(WebhookDeliverySchema).meta({ id: 'WebhookDeliveryResponse' });

export const DeliveryAttemptSchema = z
  .object({
    at: z.string().meta({ description: 'When the attempt started (ISO 8601)' }),
    statusCode: z.number().int().nullable().meta({ description: "The receiver's HTTP status; null when it did not answer" }),
    error: z.string().nullable().meta({ example: 'HTTP 500' }),
    durationMs: z.number().int().nullable(),
    responseBody: z.string().nullable().meta({ description: "The start of a failed attempt's answer (up to 1,024 characters)" }),
  })
  .meta({ id: 'WebhookDeliveryAttempt' });

export const WebhookDeliveryDetailResponseSchema = success(
  WebhookDeliverySchema.extend({
    attemptHistory: z.array(DeliveryAttemptSchema).meta({ description: 'The last 20 attempts, oldest first (redeliveries included)' }),
  }),
).meta({ id: 'WebhookDeliveryDetailResponse' });

export const WebhookTestResponseSchema = success(
  z.object({
    url: z.string(),
    eventId: z.string(),
    ok: z.boolean().meta({ description: 'The receiver answered 2xx' }),
    statusCode: z.number().int().nullable(),
    durationMs: z.number().int(),
    error: z.string().nullable(),
    responseBody: z.string().nullable(),
  }),
).meta({ id: 'WebhookTestResponse' });

export const WebhookSecretResponseSchema = success(z.object({ webhookSecret: z.string() })).meta({ id: 'WebhookSecretResponse' });

/** `GET /whatsapp/events?events=a,b`: the event names to keep (every event without it). */
export const TenantEventsQuerySchema = z.strictObject({
  events: z
    .string()
    .max(1000)
    .transform((v) => v.split(',').map((e) => e.trim()).filter((e) => e !== ''))
    .pipe(z.array(webhookEventSchema).min(1, 'name at least one event'))
    .optional(),
});

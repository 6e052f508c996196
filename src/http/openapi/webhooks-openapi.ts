import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { ErrorResponseSchema } from '../schemas/common-schemas.js';
import { InstanceIdParamsSchema } from '../schemas/instance-schemas.js';
import {
  DeliveriesQuerySchema,
  DeliveryParamsSchema,
  TenantEventsQuerySchema,
  WebhookDeliveryDetailResponseSchema,
  WebhookDeliveryListResponseSchema,
  WebhookDeliveryResponseSchema,
  WebhookSecretResponseSchema,
  WebhookTestResponseSchema,
} from '../schemas/webhook-schemas.js';
import type { z } from 'zod';
import { WEBHOOK_HEADERS } from '../../services/webhooks/webhook-signer.js';
import { webhookEnvelopeSchema } from '../../services/webhooks/webhook-events.js';

const json = (schema: z.ZodType, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ErrorResponseSchema, description);
const authed: Record<string, string[]>[] = [{ cookieAuth: [] }, { bearerAuth: [] }, { apiKeyAuth: [] }];
const common = { 400: error('Invalid input'), 401: error('Not authenticated'), 404: error('No such instance (or delivery)') };

/** OpenAPI paths of the webhooks module, and the webhook request itself (OpenAPI 3.1 `webhooks`). */
export function registerWebhookRoutes(r: OpenAPIRegistry): void {
  r.registerWebhook({
    method: 'post', path: 'event', tags: ['webhooks'],
    summary: "What Zap Engine POSTs to an instance's webhookUrl (and sends as SSE `data`)",
    description:
      `Headers: ${WEBHOOK_HEADERS.id} (the event id, the same on every retry), ${WEBHOOK_HEADERS.timestamp} (Unix seconds), ` +
      `${WEBHOOK_HEADERS.signature}: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the webhookSecret>. ` +
      'Answer 2xx within 10 s; 408, 429, 5xx and errors are retried with backoff (Retry-After honoured), other statuses are not.',
    request: { body: { required: true, content: { 'application/json': { schema: webhookEnvelopeSchema } } } },
    responses: { 200: { description: 'Any 2xx: delivered' } },
  });
  r.registerPath({
    method: 'post', path: '/whatsapp/instances/{instanceId}/webhook-secret/rotate', tags: ['webhooks'],
    summary: 'Replace the webhook signing secret (the old one stops signing at once)', security: authed,
    request: { params: InstanceIdParamsSchema }, responses: { 200: json(WebhookSecretResponseSchema), ...common },
  });
  r.registerPath({
    method: 'get', path: '/whatsapp/instances/{instanceId}/webhook-deliveries', tags: ['webhooks'],
    summary: 'The delivery log, newest first: attempts, last status code, last error, next attempt', security: authed,
    request: { params: InstanceIdParamsSchema, query: DeliveriesQuerySchema },
    responses: { 200: json(WebhookDeliveryListResponseSchema), ...common },
  });
  r.registerPath({
    method: 'get', path: '/whatsapp/instances/{instanceId}/webhook-deliveries/{deliveryId}', tags: ['webhooks'],
    summary: 'One delivery with its attempt history: when, status code, error, duration and the start of the answer',
    security: authed, request: { params: DeliveryParamsSchema },
    responses: { 200: json(WebhookDeliveryDetailResponseSchema), ...common },
  });
  r.registerPath({
    method: 'post', path: '/whatsapp/instances/{instanceId}/webhook-deliveries/{deliveryId}/redeliver', tags: ['webhooks'],
    summary: 'Send a delivery again (same event id, fresh attempts)', security: authed, request: { params: DeliveryParamsSchema },
    responses: { 202: json(WebhookDeliveryResponseSchema, 'Queued'), ...common, 409: error('Being sent right now (DELIVERY_IN_FLIGHT)') },
  });
  r.registerPath({
    method: 'post', path: '/whatsapp/instances/{instanceId}/webhook/test', tags: ['webhooks'],
    summary: "Send a signed webhook.test event now and report the receiver's answer", security: authed,
    request: { params: InstanceIdParamsSchema }, responses: { 200: json(WebhookTestResponseSchema), ...common },
  });
  r.registerPath({
    method: 'get', path: '/whatsapp/events', tags: ['webhooks'],
    summary: "Live events of every instance of the account in one stream (Server-Sent Events), starting now; `events=connection.update` keeps only those. Counts as one stream against the caps",
    security: authed, request: { query: TenantEventsQuerySchema },
    responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, 400: error('Invalid input'), 401: error('Not authenticated'), 429: error('Too many live streams') },
  });
  r.registerPath({
    method: 'get', path: '/whatsapp/instances/{instanceId}/events', tags: ['webhooks'],
    summary: 'Live events (Server-Sent Events): `id` = sequence, `event` = name, `data` = the webhook body; resume with Last-Event-ID',
    description: 'Streams open at once are capped per tenant and per node (STREAMS_MAX_PER_TENANT, STREAMS_MAX_PER_NODE): 429 past either.',
    security: authed, request: { params: InstanceIdParamsSchema },
    responses: {
      200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
      ...common,
      429: { description: 'RATE_LIMITED: too many live streams open', content: { 'application/json': { schema: ErrorResponseSchema } } },
    },
  });
}

import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ErrorResponseSchema } from '../schemas/common-schemas.js';
import { InstanceIdParamsSchema } from '../schemas/instance-schemas.js';
import {
  DeletedForMeResponseSchema,
  DeleteQuerySchema,
  EditBodySchema,
  ForwardBodySchema,
  ReactBodySchema,
  SendContactBodySchema,
  SendLocationBodySchema,
  SendPollBodySchema,
  SendStickerJsonBodySchema,
  SendStickerMultipartDocSchema,
} from '../schemas/message-kind-schemas.js';
import { AcceptedResponseSchema, IdempotencyKeySchema, MessageParamsSchema } from '../schemas/message-schemas.js';

const TAG = 'messages';
const base = '/whatsapp/instances/{instanceId}';
const json = (schema: z.ZodType, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ErrorResponseSchema, description);
const authed: Record<string, string[]>[] = [{ cookieAuth: [] }, { bearerAuth: [] }, { apiKeyAuth: [] }];
const sends = {
  202: json(AcceptedResponseSchema, 'Accepted and queued; the status follows in webhooks and GET messages/{messageId}'),
  400: error('Invalid input (e.g. latitude out of range, fewer than 2 poll options, INVALID_RECIPIENT)'),
  401: error('Not authenticated'),
  404: error('No such instance'),
  409: error('This Idempotency-Key was used with a different request'),
};
const onMessage = {
  ...sends,
  404: error('MESSAGE_NOT_FOUND: no message with this id (ours or WhatsApp’s) in the instance'),
};
const headers = z.object({ 'idempotency-key': IdempotencyKeySchema.optional() });
const body = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema } } });

/** OpenAPI paths of the message kinds (message-kinds-routes.ts), from the schemas that validate them. */
export function registerMessageKindRoutes(r: OpenAPIRegistry): void {
  r.registerPath({
    method: 'post', path: `${base}/send-location`, tags: [TAG], summary: 'Send a location (locationMessage)', security: authed,
    request: { params: InstanceIdParamsSchema, headers, body: body(SendLocationBodySchema) }, responses: sends,
  });
  r.registerPath({
    method: 'post', path: `${base}/send-contact`, tags: [TAG], summary: 'Send contact cards as vCards (contactMessage / contactsArrayMessage)',
    security: authed, request: { params: InstanceIdParamsSchema, headers, body: body(SendContactBodySchema) }, responses: sends,
  });
  r.registerPath({
    method: 'post', path: `${base}/send-sticker`, tags: [TAG], summary: 'Send a sticker: webp, or PNG/JPEG converted to webp; by URL (JSON) or uploaded (multipart, part `file`)',
    security: authed,
    request: {
      params: InstanceIdParamsSchema,
      headers,
      body: {
        required: true,
        content: { 'application/json': { schema: SendStickerJsonBodySchema }, 'multipart/form-data': { schema: SendStickerMultipartDocSchema } },
      },
    },
    responses: { ...sends, 413: error('MEDIA_TOO_LARGE: over the image limit'), 415: error('MEDIA_TYPE_NOT_ALLOWED: not webp, PNG or JPEG') },
  });
  r.registerPath({
    method: 'post', path: `${base}/send-poll`, tags: [TAG], summary: 'Send a poll; votes are decrypted and tallied on the message',
    description:
      'Each vote arrives encrypted with the poll’s secret; it is decrypted, kept per voter (a changed vote replaces the earlier one) and sent as a ' +
      '`messages.update` event with `pollUpdates` and the running `poll` tally. GET messages/{messageId} shows `poll.options[].voters`.',
    security: authed, request: { params: InstanceIdParamsSchema, headers, body: body(SendPollBodySchema) }, responses: sends,
  });
  r.registerPath({
    method: 'post', path: `${base}/messages/{messageId}/react`, tags: [TAG], summary: 'React to a message ("" removes the reaction)',
    security: authed, request: { params: MessageParamsSchema, headers, body: body(ReactBodySchema) }, responses: onMessage,
  });
  r.registerPath({
    method: 'post', path: `${base}/messages/{messageId}/edit`, tags: [TAG], summary: 'Edit one of your text messages (within 15 minutes)',
    security: authed, request: { params: MessageParamsSchema, headers, body: body(EditBodySchema) },
    responses: {
      ...onMessage,
      400: error('NOT_A_TEXT_MESSAGE, or invalid input'),
      403: error('NOT_OWN_MESSAGE: someone else’s message'),
      410: error('EDIT_WINDOW_CLOSED: sent more than 15 minutes ago'),
    },
  });
  r.registerPath({
    method: 'post', path: `${base}/messages/{messageId}/forward`, tags: [TAG], summary: 'Forward a stored message to another chat',
    security: authed, request: { params: MessageParamsSchema, headers, body: body(ForwardBodySchema) },
    responses: { ...onMessage, 400: error('NOT_FORWARDABLE (polls, reactions...), or invalid input') },
  });
  r.registerPath({
    method: 'delete', path: `${base}/messages/{messageId}`, tags: [TAG],
    summary: 'Delete a message: for everyone (revoke, 202 queued), or with ?forMe=true only here (200)',
    security: authed, request: { params: MessageParamsSchema, query: DeleteQuerySchema, headers },
    responses: {
      ...onMessage,
      200: json(DeletedForMeResponseSchema, 'forMe=true: deleted from this instance’s store'),
      403: error('NOT_OWN_MESSAGE: only your own messages can be deleted for everyone'),
      409: error('MESSAGE_DELETED (already), MESSAGE_PENDING (forMe while it is still being sent), or Idempotency-Key reuse'),
    },
  });
}

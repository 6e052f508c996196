import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ErrorResponseSchema } from '../schemas/common-schemas.js';
import { InstanceIdParamsSchema } from '../schemas/instance-schemas.js';
import {
  AcceptedResponseSchema,
  ChatParamsSchema,
  ChatsQuerySchema,
  ContactsQuerySchema,
  IdempotencyKeySchema,
  MessageParamsSchema,
  NumberParamsSchema,
  PageQuerySchema,
  SendMediaJsonBodySchema,
  SendMediaMultipartDocSchema,
  SendTextBodySchema,
} from '../schemas/message-schemas.js';

const TAG = 'messages';
const base = '/whatsapp/instances/{instanceId}';
const json = (schema: z.ZodType, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ErrorResponseSchema, description);
const authed: Record<string, string[]>[] = [{ cookieAuth: [] }, { bearerAuth: [] }, { apiKeyAuth: [] }];
const reads = { 400: error('Invalid input'), 401: error('Not authenticated'), 404: error('No such instance (or message)') };
const sends = {
  ...reads,
  409: error('This Idempotency-Key was used with a different request'),
  413: error('MEDIA_TOO_LARGE: over the limit of the media type'),
  415: error('Content-Type must be JSON (or multipart for send-media); MEDIA_TYPE_NOT_ALLOWED'),
};
const accepted = {
  202: json(AcceptedResponseSchema, 'Accepted and queued; the status follows in webhooks and GET messages/{messageId}'),
};
/** Repeat a request safely: the same key and body answer the first answer again (with `Idempotent-Replayed: true`). */
const idempotencyHeaders = z.object({ 'idempotency-key': IdempotencyKeySchema.optional() });
/** The read routes answer `{ success: true, data }`; `data` is described in the summary. */
const ok = (description: string) => ({ 200: { description: `{ success: true, data: ${description} }` } });

/** OpenAPI paths of the messaging routes (messages-router.ts), from the schemas that validate them. */
export function registerMessageRoutes(r: OpenAPIRegistry): void {
  r.registerPath({
    method: 'post', path: `${base}/send-text`, tags: [TAG], summary: 'Send a text message', security: authed,
    request: { params: InstanceIdParamsSchema, headers: idempotencyHeaders, body: { required: true, content: { 'application/json': { schema: SendTextBodySchema } } } },
    responses: { ...accepted, ...sends },
  });
  r.registerPath({
    method: 'post', path: `${base}/send-media`, tags: [TAG], summary: 'Send media: from a URL (JSON) or uploaded (multipart, part `file`)',
    description:
      'Per-type size and MIME limits apply to both forms; the file is sniffed, not trusted by its declared type. An upload is ' +
      'authorised (tenant, instance) before its body is read and streamed to disk; uploads in progress at once are capped ' +
      'per tenant and per node (429). A malformed multipart body is 400 MALFORMED_MULTIPART.',
    security: authed,
    request: {
      params: InstanceIdParamsSchema,
      headers: idempotencyHeaders,
      body: {
        required: true,
        content: {
          'application/json': { schema: SendMediaJsonBodySchema },
          'multipart/form-data': { schema: SendMediaMultipartDocSchema },
        },
      },
    },
    responses: { ...accepted, ...sends, 429: error('RATE_LIMITED: too many uploads in progress for this account or node') },
  });
  r.registerPath({
    method: 'get', path: `${base}/messages/{messageId}`, tags: [TAG], summary: 'One message, with its status (our id or the WhatsApp id)',
    description: 'Besides id, chatJid, text, caption, media, status and its times: the kind fields of MessageKindFields (location, contacts, poll, sticker, reactions, edited, deleted) and the sender by phone and LID.',
    security: authed, request: { params: MessageParamsSchema }, responses: { ...ok('the message'), ...reads },
  });
  r.registerPath({
    method: 'get', path: `${base}/messages/{messageId}/media`, tags: [TAG], summary: "The message's media file", security: authed,
    request: { params: MessageParamsSchema },
    responses: {
      200: { description: 'The file, with its MIME type', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
      ...reads,
      409: error('MEDIA_NOT_AVAILABLE: not stored yet, or storing it failed'),
    },
  });
  r.registerPath({
    method: 'get', path: `${base}/numbers/{phone}`, tags: [TAG], summary: 'Is this number on WhatsApp', security: authed,
    request: { params: NumberParamsSchema },
    responses: { ...ok('{ phone, exists, jid }'), ...reads, 409: error('INSTANCE_NOT_CONNECTED') },
  });
  r.registerPath({
    method: 'get', path: `${base}/contacts`, tags: [TAG], summary: 'Contacts, one page (optionally searched)', security: authed,
    request: { params: InstanceIdParamsSchema, query: ContactsQuerySchema }, responses: { ...ok('{ items, total, page, pageSize, totalPages }'), ...reads },
  });
  r.registerPath({
    method: 'get', path: `${base}/chats`, tags: [TAG], summary: 'Chats, one page (optionally archived or groups only)', security: authed,
    request: { params: InstanceIdParamsSchema, query: ChatsQuerySchema }, responses: { ...ok('{ items, total, page, pageSize, totalPages }'), ...reads },
  });
  r.registerPath({
    method: 'get', path: `${base}/chats/{jid}/messages`, tags: [TAG], summary: 'Messages of one chat, one page', security: authed,
    description: 'Each item as GET messages/{messageId} (see MessageKindFields). `jid` may be a LID: a contact known by phone and LID has one chat, under its phone JID.',
    request: { params: ChatParamsSchema, query: PageQuerySchema }, responses: { ...ok('{ items, total, page, pageSize, totalPages }'), ...reads },
  });
  r.registerPath({
    method: 'post', path: `${base}/chats/{jid}/read`, tags: [TAG], summary: "Mark the chat's received messages as read", security: authed,
    request: { params: ChatParamsSchema }, responses: { ...ok('{ jid, marked }'), ...reads, 409: error('INSTANCE_NOT_CONNECTED') },
  });
}

import { readFile } from 'node:fs/promises';
import { Router, type Request, type Response, type RequestHandler } from 'express';
import { ValidationError } from '../../errors/validation-error.js';
import type { ChatActions } from '../../services/messages/chat-actions.js';
import type { MessageKindsService } from '../../services/messages/kinds/message-kinds-service.js';
import type { MessageQueries } from '../../services/messages/message-queries.js';
import type { MessagingService } from '../../services/messages/messaging-service.js';
import { InstanceIdParamsSchema } from '../schemas/instance-schemas.js';
import {
  ChatParamsSchema,
  ChatsQuerySchema,
  ContactsQuerySchema,
  MessageParamsSchema,
  NumberParamsSchema,
  PageQuerySchema,
  SendMediaFormSchema,
  SendMediaJsonBodySchema,
  SendTextBodySchema,
} from '../schemas/message-schemas.js';
import { validate } from '../validate.js';
import type { UploadGate } from '../uploads/upload-gate.js';
import { sendStoredMedia } from './stored-media-response.js';
import { answer, idempotencyOf, tenantOf } from './send-helpers.js';
import { messageKindsRoutes } from './message-kinds-routes.js';

export interface MessagesRouterDeps {
  messaging: MessagingService;
  queries: MessageQueries;
  chatActions: ChatActions;
  /** The other kinds (location, contacts, sticker, poll, react, edit, delete, forward): message-kinds-routes.ts. */
  kinds?: MessageKindsService;
  authenticate: RequestHandler;
  /** Largest upload accepted at all (the largest per-type limit); the per-type limit is checked after. */
  maxUploadBytes: number;
  /** Upload slots and the staging directory, shared with /api's upload route. */
  uploads: UploadGate;
}

/** Sending, message status, media, number check, contacts, chats: /whatsapp/instances/{id}/..., tenant-scoped. */
export function messagesRouter(deps: MessagesRouterDeps): Router {
  const router = Router();
  const base = '/whatsapp/instances/:instanceId';
  router.use('/whatsapp/instances', deps.authenticate);
  /** A sticker upload: the instance checked before the body is read, then staged by the upload gate and read back (stickers are small). */
  const receiveSticker = async (req: Request, res: Response, tenantId: string, instanceId: string) => {
    await deps.messaging.assertInstance(tenantId, instanceId);
    const { file, cleanup } = await deps.uploads.receive(req, res, tenantId, { field: 'file', maxBytes: deps.maxUploadBytes, tooLargeCode: 'MEDIA_TOO_LARGE' });
    try {
      return file ? { data: await readFile(file.staged.path), sha256: file.staged.sha256 } : null;
    } finally {
      await cleanup();
    }
  };

  router.post(`${base}/send-text`, async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    const body = validate(SendTextBodySchema, req.body, 'body');
    answer(res, await deps.messaging.sendText(tenantOf(req), instanceId, body, idempotencyOf(req, body)));
  });

  router.post(`${base}/send-media`, async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    const tenantId = tenantOf(req);
    if (!req.is('multipart/form-data')) {
      const body = validate(SendMediaJsonBodySchema, req.body, 'body');
      const { mediaUrl, ...input } = body;
      answer(res, await deps.messaging.sendMedia(tenantId, instanceId, input, { kind: 'url', url: mediaUrl }, idempotencyOf(req, body)));
      return;
    }
    // Who and where before a byte of the body is read: authenticated (above), the instance is the tenant's, a slot is free.
    await deps.messaging.assertInstance(tenantId, instanceId);
    const { file, cleanup } = await deps.uploads.receive(req, res, tenantId, {
      field: 'file',
      maxBytes: deps.maxUploadBytes,
      tooLargeCode: 'MEDIA_TOO_LARGE',
    });
    try {
      if (!file) {
        throw new ValidationError('Invalid request body', [{ location: 'body', path: 'file', message: 'a file part named "file" is required', code: 'invalid_type' }]);
      }
      const input = validate(SendMediaFormSchema, req.body, 'body');
      answer(
        res,
        await deps.messaging.sendMedia(
          tenantId,
          instanceId,
          input,
          { kind: 'upload', file: file.staged, contentType: file.mimetype || null, originalName: file.originalname || null },
          idempotencyOf(req, { ...input, file: file.staged.sha256 }),
        ),
      );
    } finally {
      await cleanup();
    }
  });

  if (deps.kinds) messageKindsRoutes(router, { base, kinds: deps.kinds, receiveUpload: receiveSticker });

  router.get(`${base}/messages/:messageId`, async (req, res) => {
    const { instanceId, messageId } = validate(MessageParamsSchema, req.params, 'params');
    res.json({ success: true, data: await deps.queries.getMessage(tenantOf(req), instanceId, messageId) });
  });

  router.get(`${base}/messages/:messageId/media`, async (req, res) => {
    const { instanceId, messageId } = validate(MessageParamsSchema, req.params, 'params');
    const media = await deps.queries.getMedia(tenantOf(req), instanceId, messageId);
    sendStoredMedia(res, media);
  });

  router.get(`${base}/numbers/:phone`, async (req, res) => {
    const { instanceId, phone } = validate(NumberParamsSchema, req.params, 'params');
    res.json({ success: true, data: await deps.chatActions.checkNumber(tenantOf(req), instanceId, phone) });
  });

  router.get(`${base}/contacts`, async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    const { search, ...page } = validate(ContactsQuerySchema, req.query, 'query');
    res.json({ success: true, data: await deps.queries.listContacts(tenantOf(req), instanceId, page, search) });
  });

  router.get(`${base}/chats`, async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    const { page, pageSize, ...filter } = validate(ChatsQuerySchema, req.query, 'query');
    res.json({ success: true, data: await deps.queries.listChats(tenantOf(req), instanceId, { page, pageSize }, filter) });
  });

  router.get(`${base}/chats/:jid/messages`, async (req, res) => {
    const { instanceId, jid } = validate(ChatParamsSchema, req.params, 'params');
    const page = validate(PageQuerySchema, req.query, 'query');
    res.json({ success: true, data: await deps.queries.listChatMessages(tenantOf(req), instanceId, jid, page) });
  });

  router.post(`${base}/chats/:jid/read`, async (req, res) => {
    const { instanceId, jid } = validate(ChatParamsSchema, req.params, 'params');
    res.json({ success: true, data: await deps.chatActions.markChatRead(tenantOf(req), instanceId, jid) });
  });

  return router;
}

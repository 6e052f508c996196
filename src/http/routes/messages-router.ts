import { createHash } from 'node:crypto';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import { PayloadTooLargeError } from '../../errors/payload-too-large-error.js';
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
}

/** Sending, message status, media, number check, contacts, chats: /whatsapp/instances/{id}/..., tenant-scoped. */
export function messagesRouter(deps: MessagesRouterDeps): Router {
  const router = Router();
  const base = '/whatsapp/instances/:instanceId';
  router.use('/whatsapp/instances', deps.authenticate);
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: deps.maxUploadBytes, files: 1, fields: 20, fieldSize: 70_000 },
  }).single('file');
  /** Reads the multipart body (fields and the one file part) into req.body and req.file. */
  const receiveUpload = (req: Request, res: Response) =>
    new Promise<void>((resolve, reject) => {
      upload(req, res, (err: unknown) => {
        if (err instanceof multer.MulterError) {
          if (err.code === 'LIMIT_FILE_SIZE') {
            reject(new PayloadTooLargeError(`the file is larger than ${deps.maxUploadBytes} bytes`, { limitBytes: deps.maxUploadBytes }, 'MEDIA_TOO_LARGE'));
          } else {
            reject(new ValidationError(err.message, [{ location: 'body', path: err.field ?? '', message: err.message, code: err.code }]));
          }
        } else if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else resolve();
      });
    });

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
    await receiveUpload(req, res);
    const file = req.file;
    if (!file) {
      throw new ValidationError('Invalid request body', [{ location: 'body', path: 'file', message: 'a file part named "file" is required', code: 'invalid_type' }]);
    }
    const input = validate(SendMediaFormSchema, req.body, 'body');
    const sha = createHash('sha256').update(file.buffer).digest('hex');
    answer(
      res,
      await deps.messaging.sendMedia(
        tenantId,
        instanceId,
        input,
        { kind: 'upload', data: file.buffer, contentType: file.mimetype || null, originalName: file.originalname || null },
        idempotencyOf(req, { ...input, file: sha }),
      ),
    );
  });

  if (deps.kinds) messageKindsRoutes(router, { base, kinds: deps.kinds, receiveUpload });

  router.get(`${base}/messages/:messageId`, async (req, res) => {
    const { instanceId, messageId } = validate(MessageParamsSchema, req.params, 'params');
    res.json({ success: true, data: await deps.queries.getMessage(tenantOf(req), instanceId, messageId) });
  });

  router.get(`${base}/messages/:messageId/media`, async (req, res) => {
    const { instanceId, messageId } = validate(MessageParamsSchema, req.params, 'params');
    const media = await deps.queries.getMedia(tenantOf(req), instanceId, messageId);
    res.set('Content-Type', media.mimetype);
    res.set('Content-Length', String(media.data.length));
    res.set('Cache-Control', 'private, max-age=3600');
    if (media.fileName) res.attachment(media.fileName);
    res.end(media.data);
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

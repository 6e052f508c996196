import type { Request, Response, Router } from 'express';
import { ValidationError } from '../../errors/validation-error.js';
import type { MessageKindsService } from '../../services/messages/kinds/message-kinds-service.js';
import { InstanceIdParamsSchema } from '../schemas/instance-schemas.js';
import {
  DeleteQuerySchema,
  EditBodySchema,
  ForwardBodySchema,
  ReactBodySchema,
  SendContactBodySchema,
  SendLocationBodySchema,
  SendPollBodySchema,
  SendStickerFormSchema,
  SendStickerJsonBodySchema,
} from '../schemas/message-kind-schemas.js';
import { MessageParamsSchema } from '../schemas/message-schemas.js';
import { validate } from '../validate.js';
import { answer, idempotencyOf, tenantOf } from './send-helpers.js';

export interface MessageKindsRoutesDeps {
  base: string;
  kinds: MessageKindsService;
  /**
   * The send-media multipart reader (same upload gate, limits and errors; the instance is checked before the body is
   * read): the file's bytes and sha256 with the form fields in req.body, or null without a file part.
   */
  receiveUpload: (req: Request, res: Response, tenantId: string, instanceId: string) => Promise<{ data: Buffer; sha256: string } | null>;
}

/**
 * The message kinds beyond text and media, on the messages router (so behind its authentication): send-location,
 * send-contact, send-sticker, send-poll, and messages/{id}/react, /edit, /forward and DELETE messages/{id}. Every
 * send answers 202 `queued` with the same Idempotency-Key handling as send-text.
 */
export function messageKindsRoutes(router: Router, deps: MessageKindsRoutesDeps): void {
  const { base, kinds } = deps;

  router.post(`${base}/send-location`, async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    const body = validate(SendLocationBodySchema, req.body, 'body');
    answer(res, await kinds.sendLocation(tenantOf(req), instanceId, body, idempotencyOf(req, body)));
  });

  router.post(`${base}/send-contact`, async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    const body = validate(SendContactBodySchema, req.body, 'body');
    answer(res, await kinds.sendContacts(tenantOf(req), instanceId, body, idempotencyOf(req, body)));
  });

  router.post(`${base}/send-poll`, async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    const body = validate(SendPollBodySchema, req.body, 'body');
    answer(res, await kinds.sendPoll(tenantOf(req), instanceId, body, idempotencyOf(req, body)));
  });

  router.post(`${base}/send-sticker`, async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    const tenantId = tenantOf(req);
    if (!req.is('multipart/form-data')) {
      const body = validate(SendStickerJsonBodySchema, req.body, 'body');
      const { stickerUrl, ...input } = body;
      answer(res, await kinds.sendSticker(tenantId, instanceId, input, { kind: 'url', url: stickerUrl }, idempotencyOf(req, body)));
      return;
    }
    const file = await deps.receiveUpload(req, res, tenantId, instanceId);
    if (!file) {
      throw new ValidationError('Invalid request body', [{ location: 'body', path: 'file', message: 'a file part named "file" is required', code: 'invalid_type' }]);
    }
    const input = validate(SendStickerFormSchema, req.body, 'body');
    answer(res, await kinds.sendSticker(tenantId, instanceId, input, { kind: 'upload', data: file.data }, idempotencyOf(req, { ...input, file: file.sha256 })));
  });

  router.post(`${base}/messages/:messageId/react`, async (req, res) => {
    const { instanceId, messageId } = validate(MessageParamsSchema, req.params, 'params');
    const body = validate(ReactBodySchema, req.body, 'body');
    answer(res, await kinds.react(tenantOf(req), instanceId, messageId, body.emoji, idempotencyOf(req, body)));
  });

  router.post(`${base}/messages/:messageId/edit`, async (req, res) => {
    const { instanceId, messageId } = validate(MessageParamsSchema, req.params, 'params');
    const body = validate(EditBodySchema, req.body, 'body');
    answer(res, await kinds.edit(tenantOf(req), instanceId, messageId, body.message, idempotencyOf(req, body)));
  });

  router.post(`${base}/messages/:messageId/forward`, async (req, res) => {
    const { instanceId, messageId } = validate(MessageParamsSchema, req.params, 'params');
    const body = validate(ForwardBodySchema, req.body, 'body');
    answer(res, await kinds.forward(tenantOf(req), instanceId, messageId, body.to, idempotencyOf(req, body)));
  });

  router.delete(`${base}/messages/:messageId`, async (req, res) => {
    const { instanceId, messageId } = validate(MessageParamsSchema, req.params, 'params');
    const { forMe } = validate(DeleteQuerySchema, req.query, 'query');
    if (forMe) {
      res.json({ success: true, data: await kinds.deleteForMe(tenantOf(req), instanceId, messageId) });
      return;
    }
    answer(res, await kinds.revoke(tenantOf(req), instanceId, messageId, idempotencyOf(req, { forMe })));
  });
}

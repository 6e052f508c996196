import { Router, type Request, type RequestHandler } from 'express';
import multer from 'multer';
import { PayloadTooLargeError } from '../../errors/payload-too-large-error.js';
import { UnauthorizedError } from '../../errors/unauthorized-error.js';
import { ValidationError } from '../../errors/validation-error.js';
import type { ProfilesService } from '../../services/profiles-service.js';
import { InstanceIdParamsSchema } from '../schemas/instance-schemas.js';
import {
  ContactPhoneParamsSchema,
  PresenceBodySchema,
  PresenceSubscribeBodySchema,
  UpdateProfileBodySchema,
  UpdateProfileFormSchema,
} from '../schemas/profile-schemas.js';
import { validate } from '../validate.js';

export interface ProfilesRouterDeps {
  profiles: ProfilesService;
  authenticate: RequestHandler;
  /** Largest picture upload (the image media limit). */
  maxPictureBytes: number;
}

const tenantOf = (req: Request) => {
  if (!req.principal) throw new UnauthorizedError();
  return req.principal.tenantId;
};

/** Presence, profiles and the blocklist: /whatsapp/instances/{id}/..., tenant-scoped. */
export function profilesRouter(deps: ProfilesRouterDeps): Router {
  const router = Router();
  const base = '/whatsapp/instances/:instanceId';
  router.use('/whatsapp/instances', deps.authenticate);
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: deps.maxPictureBytes, files: 1, fields: 5 } }).single('picture');

  router.post(`${base}/presence`, async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    const body = validate(PresenceBodySchema, req.body, 'body');
    res.json({ success: true, data: await deps.profiles.sendPresence(tenantOf(req), instanceId, body) });
  });

  router.post(`${base}/presence/subscribe`, async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    const body = validate(PresenceSubscribeBodySchema, req.body, 'body');
    res.json({ success: true, data: await deps.profiles.subscribePresence(tenantOf(req), instanceId, body) });
  });

  router.get(`${base}/contacts/:phone/profile`, async (req, res) => {
    const { instanceId, phone } = validate(ContactPhoneParamsSchema, req.params, 'params');
    res.json({ success: true, data: await deps.profiles.getProfile(tenantOf(req), instanceId, phone) });
  });

  router.post(`${base}/contacts/:phone/block`, async (req, res) => {
    const { instanceId, phone } = validate(ContactPhoneParamsSchema, req.params, 'params');
    res.json({ success: true, data: await deps.profiles.setBlocked(tenantOf(req), instanceId, phone, 'block') });
  });

  router.post(`${base}/contacts/:phone/unblock`, async (req, res) => {
    const { instanceId, phone } = validate(ContactPhoneParamsSchema, req.params, 'params');
    res.json({ success: true, data: await deps.profiles.setBlocked(tenantOf(req), instanceId, phone, 'unblock') });
  });

  router.get(`${base}/blocklist`, async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    res.json({ success: true, data: await deps.profiles.blocklist(tenantOf(req), instanceId) });
  });

  router.put(`${base}/profile`, async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    const tenantId = tenantOf(req);
    if (!req.is('multipart/form-data')) {
      const { pictureUrl, ...text } = validate(UpdateProfileBodySchema, req.body, 'body');
      const picture = pictureUrl === undefined ? undefined : pictureUrl === null ? null : { kind: 'url' as const, url: pictureUrl };
      res.json({ success: true, data: await deps.profiles.updateProfile(tenantId, instanceId, { ...text, ...(picture !== undefined ? { picture } : {}) }) });
      return;
    }
    await new Promise<void>((resolve, reject) => {
      upload(req, res, (err: unknown) => {
        if (err instanceof multer.MulterError) {
          if (err.code === 'LIMIT_FILE_SIZE') {
            reject(new PayloadTooLargeError(`the picture is larger than ${deps.maxPictureBytes} bytes`, { limitBytes: deps.maxPictureBytes }, 'MEDIA_TOO_LARGE'));
          } else {
            reject(new ValidationError(err.message, [{ location: 'body', path: err.field ?? '', message: err.message, code: err.code }]));
          }
        } else if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else resolve();
      });
    });
    const text = validate(UpdateProfileFormSchema, req.body, 'body');
    const file = req.file;
    if (!file && text.name === undefined && text.about === undefined) {
      throw new ValidationError('Invalid request body', [{ location: 'body', path: 'picture', message: 'give a picture part, name or about', code: 'invalid_type' }]);
    }
    const picture = file ? { kind: 'upload' as const, data: file.buffer, contentType: file.mimetype || null } : undefined;
    res.json({ success: true, data: await deps.profiles.updateProfile(tenantId, instanceId, { ...text, ...(picture ? { picture } : {}) }) });
  });

  return router;
}

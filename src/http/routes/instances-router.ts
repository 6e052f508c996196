import { Router, type RequestHandler } from 'express';
import { UnauthorizedError } from '../../errors/unauthorized-error.js';
import type { InstancesService } from '../../services/instances-service.js';
import {
  CreateInstanceBodySchema,
  InstanceIdParamsSchema,
  UpdateInstanceBodySchema,
} from '../schemas/instance-schemas.js';
import { PairingCodeBodySchema } from '../schemas/profile-schemas.js';
import { phoneDigits } from '../../services/messages/recipient.js';
import { validate } from '../validate.js';

/** /whatsapp/instances, scoped to the caller's tenant. */
export function instancesRouter(deps: { instances: InstancesService; authenticate: RequestHandler }): Router {
  const router = Router();
  router.use('/whatsapp/instances', deps.authenticate);
  const tenantOf = (req: Express.Request) => {
    if (!req.principal) throw new UnauthorizedError();
    return req.principal.tenantId;
  };

  router.get('/whatsapp/instances', async (req, res) => {
    res.json({ success: true, data: await deps.instances.list(tenantOf(req)) });
  });

  router.post('/whatsapp/instances', async (req, res) => {
    const body = validate(CreateInstanceBodySchema, req.body, 'body');
    res.status(201).json({ success: true, data: await deps.instances.create(tenantOf(req), body) });
  });

  router.get('/whatsapp/instances/:instanceId', async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    res.json({ success: true, data: await deps.instances.get(tenantOf(req), instanceId) });
  });

  router.put('/whatsapp/instances/:instanceId', async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    const body = validate(UpdateInstanceBodySchema, req.body, 'body');
    res.json({ success: true, data: await deps.instances.update(tenantOf(req), instanceId, body) });
  });

  router.post('/whatsapp/instances/:instanceId/regenerate-qr', async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    res.json({ success: true, data: await deps.instances.regenerateQr(tenantOf(req), instanceId) });
  });

  router.post('/whatsapp/instances/:instanceId/pairing-code', async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    const { phone } = validate(PairingCodeBodySchema, req.body, 'body');
    res.json({ success: true, data: await deps.instances.requestPairingCode(tenantOf(req), instanceId, phoneDigits(phone)) });
  });

  router.post('/whatsapp/instances/:instanceId/restart', async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    res.json({ success: true, data: await deps.instances.restart(tenantOf(req), instanceId) });
  });

  router.post('/whatsapp/instances/:instanceId/disconnect', async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    res.json({ success: true, data: await deps.instances.disconnect(tenantOf(req), instanceId) });
  });

  router.delete('/whatsapp/instances/:instanceId', async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    await deps.instances.remove(tenantOf(req), instanceId);
    res.json({ success: true, message: 'Instance deleted successfully' });
  });

  return router;
}

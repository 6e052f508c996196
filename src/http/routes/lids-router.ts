import { Router, type Request, type RequestHandler } from 'express';
import { UnauthorizedError } from '../../errors/unauthorized-error.js';
import type { LidLookup } from '../../services/messages/lid-lookup.js';
import { InstanceIdParamsSchema } from '../schemas/instance-schemas.js';
import { LidParamsSchema, LidQuerySchema } from '../schemas/lid-schemas.js';
import { validate } from '../validate.js';

const tenantOf = (req: Request) => {
  if (!req.principal) throw new UnauthorizedError();
  return req.principal.tenantId;
};

/**
 * `GET /whatsapp/instances/{id}/lids/{lid}` and `GET …/lids?phone=`: the instance's LID ↔ phone pairs. Give
 * `authenticate` unless mounted behind a router that already authenticates `/whatsapp/instances`.
 */
export function lidsRouter(deps: { lids: LidLookup; authenticate?: RequestHandler }): Router {
  const router = Router();
  const base = '/whatsapp/instances/:instanceId';
  if (deps.authenticate) router.use('/whatsapp/instances', deps.authenticate);

  router.get(`${base}/lids`, async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    const { phone } = validate(LidQuerySchema, req.query, 'query');
    res.json({ success: true, data: await deps.lids.byPhone(tenantOf(req), instanceId, phone) });
  });

  router.get(`${base}/lids/:lid`, async (req, res) => {
    const { instanceId, lid } = validate(LidParamsSchema, req.params, 'params');
    res.json({ success: true, data: await deps.lids.byLid(tenantOf(req), instanceId, lid) });
  });

  return router;
}

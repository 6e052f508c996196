import { Router, type Request, type RequestHandler } from 'express';
import { UnauthorizedError } from '../../errors/unauthorized-error.js';
import type { GroupsService } from '../../services/groups/groups-service.js';
import { InstanceIdParamsSchema } from '../schemas/instance-schemas.js';
import { PageQuerySchema } from '../schemas/message-schemas.js';
import {
  CreateGroupBodySchema,
  GroupParamsSchema,
  GroupParticipantsBodySchema,
  JoinGroupBodySchema,
  SetGroupPictureBodySchema,
  UpdateGroupBodySchema,
} from '../schemas/group-schemas.js';
import { validate } from '../validate.js';

export interface GroupsRouterDeps {
  groups: GroupsService;
  authenticate: RequestHandler;
}

const tenantOf = (req: Request) => {
  if (!req.principal) throw new UnauthorizedError();
  return req.principal.tenantId;
};

/** Group management: /whatsapp/instances/{id}/groups..., tenant-scoped; each route parses its input and calls the service. */
export function groupsRouter(deps: GroupsRouterDeps): Router {
  const router = Router();
  const base = '/whatsapp/instances/:instanceId/groups';
  const { groups } = deps;
  router.use('/whatsapp/instances', deps.authenticate);

  router.post(base, async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    const body = validate(CreateGroupBodySchema, req.body, 'body');
    res.status(201).json({ success: true, data: await groups.create(tenantOf(req), instanceId, body) });
  });

  router.get(base, async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    const page = validate(PageQuerySchema, req.query, 'query');
    res.json({ success: true, data: await groups.list(tenantOf(req), instanceId, page) });
  });

  router.post(`${base}/join`, async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    const { inviteCode } = validate(JoinGroupBodySchema, req.body, 'body');
    res.json({ success: true, data: await groups.join(tenantOf(req), instanceId, inviteCode) });
  });

  router.get(`${base}/:jid`, async (req, res) => {
    const { instanceId, jid } = validate(GroupParamsSchema, req.params, 'params');
    res.json({ success: true, data: await groups.get(tenantOf(req), instanceId, jid) });
  });

  router.patch(`${base}/:jid`, async (req, res) => {
    const { instanceId, jid } = validate(GroupParamsSchema, req.params, 'params');
    const body = validate(UpdateGroupBodySchema, req.body, 'body');
    res.json({ success: true, data: await groups.update(tenantOf(req), instanceId, jid, body) });
  });

  router.post(`${base}/:jid/participants`, async (req, res) => {
    const { instanceId, jid } = validate(GroupParamsSchema, req.params, 'params');
    const { action, participants } = validate(GroupParticipantsBodySchema, req.body, 'body');
    res.json({ success: true, data: await groups.participants(tenantOf(req), instanceId, jid, action, participants) });
  });

  router.get(`${base}/:jid/invite-code`, async (req, res) => {
    const { instanceId, jid } = validate(GroupParamsSchema, req.params, 'params');
    res.json({ success: true, data: await groups.inviteCode(tenantOf(req), instanceId, jid) });
  });

  router.post(`${base}/:jid/invite-code/revoke`, async (req, res) => {
    const { instanceId, jid } = validate(GroupParamsSchema, req.params, 'params');
    res.json({ success: true, data: await groups.revokeInvite(tenantOf(req), instanceId, jid) });
  });

  router.post(`${base}/:jid/leave`, async (req, res) => {
    const { instanceId, jid } = validate(GroupParamsSchema, req.params, 'params');
    res.json({ success: true, data: await groups.leave(tenantOf(req), instanceId, jid) });
  });

  router.get(`${base}/:jid/picture`, async (req, res) => {
    const { instanceId, jid } = validate(GroupParamsSchema, req.params, 'params');
    res.json({ success: true, data: await groups.picture(tenantOf(req), instanceId, jid) });
  });

  router.put(`${base}/:jid/picture`, async (req, res) => {
    const { instanceId, jid } = validate(GroupParamsSchema, req.params, 'params');
    const body = validate(SetGroupPictureBodySchema, req.body, 'body');
    const source = body.imageUrl !== undefined
      ? { kind: 'url' as const, url: body.imageUrl }
      : { kind: 'base64' as const, data: Buffer.from(body.imageBase64 ?? '', 'base64') };
    res.json({ success: true, data: await groups.setPicture(tenantOf(req), instanceId, jid, source) });
  });

  return router;
}

import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import { ErrorResponseSchema } from '../schemas/common-schemas.js';
import {
  CreateGroupBodySchema,
  GroupListResponseSchema,
  GroupParamsSchema,
  GroupParticipantsBodySchema,
  GroupPictureResponseSchema,
  GroupResponseSchema,
  InviteCodeResponseSchema,
  JoinGroupBodySchema,
  LeaveResponseSchema,
  ParticipantsResponseSchema,
  SetGroupPictureBodySchema,
  UpdateGroupBodySchema,
} from '../schemas/group-schemas.js';
import { InstanceIdParamsSchema } from '../schemas/instance-schemas.js';
import { PageQuerySchema } from '../schemas/message-schemas.js';

const TAG = 'groups';
const base = '/whatsapp/instances/{instanceId}/groups';
const json = (schema: z.ZodType, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ErrorResponseSchema, description);
const body = (schema: z.ZodType) => ({ body: { required: true, content: { 'application/json': { schema } } } });
const authed: Record<string, string[]>[] = [{ cookieAuth: [] }, { bearerAuth: [] }, { apiKeyAuth: [] }];
const common = {
  400: error('Invalid input (VALIDATION_FAILED, INVALID_PARTICIPANT)'),
  401: error('Not authenticated'),
  404: error('No such instance (another tenant’s too), or GROUP_NOT_FOUND'),
  409: error('INSTANCE_NOT_CONNECTED, INSTANCE_BUSY'),
  503: error('No engine node runs sockets right now'),
  504: error('COMMAND_TIMEOUT: the node running the instance did not answer in time'),
};
const admin = { ...common, 403: error('NOT_GROUP_ADMIN (only admins may) or NOT_GROUP_PARTICIPANT') };
const member = { ...common, 403: error('NOT_GROUP_PARTICIPANT: the number is not in the group') };

/** OpenAPI paths of the group routes (groups-router.ts), from the schemas that validate them. */
export function registerGroupRoutes(r: OpenAPIRegistry): void {
  r.registerPath({
    method: 'post', path: base, tags: [TAG], security: authed,
    summary: 'Create a group with the number as its owner (superadmin)',
    description: 'Participants whose privacy only allows invites, or who are not on WhatsApp, are left out (see GET for who is in). ' +
      'A `groups.upsert` event follows.',
    request: { params: InstanceIdParamsSchema, ...body(CreateGroupBodySchema) },
    responses: { 201: json(GroupResponseSchema, 'Created'), ...common, 400: error('Invalid input, or GROUP_TOO_LARGE: too many participants') },
  });
  r.registerPath({
    method: 'get', path: base, tags: [TAG], security: authed, summary: 'The groups the number is in (by subject), paginated',
    request: { params: InstanceIdParamsSchema, query: PageQuerySchema },
    responses: { 200: json(GroupListResponseSchema), ...common },
  });
  r.registerPath({
    method: 'post', path: `${base}/join`, tags: [TAG], security: authed, summary: 'Join a group by its invite code or link',
    request: { params: InstanceIdParamsSchema, ...body(JoinGroupBodySchema) },
    responses: {
      200: json(GroupResponseSchema, 'Joined (or already in): the group'),
      ...common,
      404: error('No such instance, or INVITE_NOT_FOUND'),
      409: error('GROUP_FULL, INSTANCE_NOT_CONNECTED'),
      410: error('INVITE_REVOKED'),
    },
  });
  r.registerPath({
    method: 'get', path: `${base}/{jid}`, tags: [TAG], security: authed,
    summary: 'Metadata: subject, description, owner, creation, settings, participants and their roles',
    request: { params: GroupParamsSchema }, responses: { 200: json(GroupResponseSchema), ...member },
  });
  r.registerPath({
    method: 'patch', path: `${base}/{jid}`, tags: [TAG], security: authed,
    summary: 'Change the subject, the description and the settings (announcement, locked)',
    description: 'Settings need an admin; subject and description too when the group is locked. `groups.update` events follow.',
    request: { params: GroupParamsSchema, ...body(UpdateGroupBodySchema) }, responses: { 200: json(GroupResponseSchema, 'The group after the change'), ...admin },
  });
  r.registerPath({
    method: 'post', path: `${base}/{jid}/participants`, tags: [TAG], security: authed,
    summary: 'Add, remove, promote or demote participants; answers a result per participant',
    description: 'Per participant: added/removed/promoted/demoted, already_in, already_admin, not_admin, not_in_group, ' +
      'not_on_whatsapp, needs_invite (with the invite code to send instead), not_authorized, recently_left, group_full. ' +
      'A `group-participants.update` event follows for the changes made.',
    request: { params: GroupParamsSchema, ...body(GroupParticipantsBodySchema) },
    responses: { 200: json(ParticipantsResponseSchema), ...admin },
  });
  r.registerPath({
    method: 'get', path: `${base}/{jid}/invite-code`, tags: [TAG], security: authed, summary: 'The invite code and link (admins only)',
    request: { params: GroupParamsSchema }, responses: { 200: json(InviteCodeResponseSchema), ...admin },
  });
  r.registerPath({
    method: 'post', path: `${base}/{jid}/invite-code/revoke`, tags: [TAG], security: authed,
    summary: 'Revoke the invite link (the old code stops working); answers the new one',
    request: { params: GroupParamsSchema }, responses: { 200: json(InviteCodeResponseSchema), ...admin },
  });
  r.registerPath({
    method: 'post', path: `${base}/{jid}/leave`, tags: [TAG], security: authed, summary: 'Leave the group',
    request: { params: GroupParamsSchema }, responses: { 200: json(LeaveResponseSchema), ...member },
  });
  r.registerPath({
    method: 'get', path: `${base}/{jid}/picture`, tags: [TAG], security: authed, summary: "The group's picture URL (null when none)",
    request: { params: GroupParamsSchema }, responses: { 200: json(GroupPictureResponseSchema), ...member },
  });
  r.registerPath({
    method: 'put', path: `${base}/{jid}/picture`, tags: [TAG], security: authed,
    summary: "Set the group's picture from base64 or a URL (JPEG, PNG or WebP; cropped square)",
    request: { params: GroupParamsSchema, ...body(SetGroupPictureBodySchema) },
    responses: {
      200: json(GroupPictureResponseSchema), ...admin,
      413: error('MEDIA_TOO_LARGE'), 415: error('MEDIA_TYPE_NOT_ALLOWED'), 422: error('MEDIA_FETCH_FAILED'),
    },
  });
}

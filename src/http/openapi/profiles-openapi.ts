import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import { ErrorResponseSchema } from '../schemas/common-schemas.js';
import { InstanceIdParamsSchema } from '../schemas/instance-schemas.js';
import {
  BlocklistResponseSchema,
  BlockResponseSchema,
  ContactPhoneParamsSchema,
  OwnProfileResponseSchema,
  PairingCodeBodySchema,
  PairingCodeResponseSchema,
  PresenceBodySchema,
  PresenceResponseSchema,
  PresenceSubscribeBodySchema,
  PresenceSubscribeResponseSchema,
  ProfileResponseSchema,
  UpdateProfileBodySchema,
  UpdateProfileMultipartDocSchema,
} from '../schemas/profile-schemas.js';

const base = '/whatsapp/instances/{instanceId}';
const json = (schema: z.ZodType, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ErrorResponseSchema, description);
const body = (schema: z.ZodType) => ({ body: { required: true, content: { 'application/json': { schema } } } });
const authed: Record<string, string[]>[] = [{ cookieAuth: [] }, { bearerAuth: [] }, { apiKeyAuth: [] }];
const engine = {
  400: error('Invalid input (VALIDATION_FAILED, INVALID_RECIPIENT, INVALID_PHONE)'),
  401: error('Not authenticated'),
  404: error('No such instance (another tenant’s is not found either); CONTACT_NOT_ON_WHATSAPP'),
  409: error('INSTANCE_NOT_CONNECTED, INSTANCE_BUSY'),
  503: error('No engine node runs sockets right now'),
  504: error('COMMAND_TIMEOUT'),
};

/** OpenAPI paths of pairing by phone code (instances-router.ts) and of profiles-router.ts. */
export function registerProfileRoutes(r: OpenAPIRegistry): void {
  r.registerPath({
    method: 'post', path: `${base}/pairing-code`, tags: ['instances'], security: authed,
    summary: 'Pair by phone code instead of QR',
    description:
      'Starts a new pairing cycle and answers the code the person types on the phone (Linked devices → Link a device → ' +
      'Link with phone number instead). The instance then goes through the same statuses and `connection.update` events ' +
      'as a QR pairing; GET shows `pairingCode` while it waits. Works from `created`, `qr` and after `qr_expired`; asking ' +
      'again gives a new code. The code stops working at `expiresAt` (`disconnected`/`qr_expired`).',
    request: { params: InstanceIdParamsSchema, ...body(PairingCodeBodySchema) },
    responses: {
      200: json(PairingCodeResponseSchema),
      400: error('VALIDATION_FAILED: not a phone number with its country code'),
      401: error('Not authenticated'),
      404: error('No such instance'),
      409: error('INSTANCE_ALREADY_CONNECTED, INSTANCE_BUSY'),
      502: error('PAIRING_CODE_UNAVAILABLE: WhatsApp gave no code in time'),
      503: error('No engine node runs sockets right now'),
      504: error('COMMAND_TIMEOUT'),
    },
  });
  r.registerPath({
    method: 'post', path: `${base}/presence`, tags: ['presence'], security: authed,
    summary: 'Show typing or recording in a chat, or go online/offline',
    description: 'available/unavailable need a profile name (409 PROFILE_NAME_REQUIRED without one: set it with PUT profile).',
    request: { params: InstanceIdParamsSchema, ...body(PresenceBodySchema) },
    responses: { 200: json(PresenceResponseSchema), ...engine, 409: error('INSTANCE_NOT_CONNECTED, INSTANCE_BUSY, PROFILE_NAME_REQUIRED') },
  });
  r.registerPath({
    method: 'post', path: `${base}/presence/subscribe`, tags: ['presence'], security: authed,
    summary: "Receive a contact's presence as presence.update events",
    description: 'The current presence arrives at once, then its changes, stored and sent to webhooks as `presence.update`. A reconnect ends the subscription (subscribe again).',
    request: { params: InstanceIdParamsSchema, ...body(PresenceSubscribeBodySchema) },
    responses: { 200: json(PresenceSubscribeResponseSchema), ...engine },
  });
  r.registerPath({
    method: 'get', path: `${base}/contacts/{phone}/profile`, tags: ['profiles'], security: authed,
    summary: "A number's picture URL, about text and business profile",
    request: { params: ContactPhoneParamsSchema },
    responses: { 200: json(ProfileResponseSchema), ...engine },
  });
  r.registerPath({
    method: 'put', path: `${base}/profile`, tags: ['profiles'], security: authed,
    summary: "Set the number's own name, about text and picture",
    description:
      'JSON with `pictureUrl` (fetched under the same URL guard and image limits as send-media; null removes the picture), ' +
      'or multipart with the file part `picture`. Answers the profile as contacts see it.',
    request: {
      params: InstanceIdParamsSchema,
      body: {
        required: true,
        content: { 'application/json': { schema: UpdateProfileBodySchema }, 'multipart/form-data': { schema: UpdateProfileMultipartDocSchema } },
      },
    },
    responses: {
      200: json(OwnProfileResponseSchema),
      ...engine,
      400: error('VALIDATION_FAILED, MEDIA_URL_NOT_ALLOWED'),
      413: error('MEDIA_TOO_LARGE'),
      415: error('MEDIA_TYPE_NOT_ALLOWED: not a JPEG, PNG or WebP'),
      422: error('PICTURE_FETCH_FAILED'),
    },
  });
  for (const action of ['block', 'unblock'] as const) {
    r.registerPath({
      method: 'post', path: `${base}/contacts/{phone}/${action}`, tags: ['profiles'], security: authed,
      summary: action === 'block' ? 'Block a number (its messages and presence stop arriving)' : 'Unblock a number',
      request: { params: ContactPhoneParamsSchema },
      responses: { 200: json(BlockResponseSchema), ...engine },
    });
  }
  r.registerPath({
    method: 'get', path: `${base}/blocklist`, tags: ['profiles'], security: authed,
    summary: 'The numbers this one blocked',
    request: { params: InstanceIdParamsSchema },
    responses: { 200: json(BlocklistResponseSchema), ...engine },
  });
}

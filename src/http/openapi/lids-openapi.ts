import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ErrorResponseSchema } from '../schemas/common-schemas.js';
import { InstanceIdParamsSchema } from '../schemas/instance-schemas.js';
import { LidMappingResponseSchema, LidParamsSchema, LidQuerySchema, MessageKindFieldsSchema } from '../schemas/lid-schemas.js';

const json = (schema: z.ZodType, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ErrorResponseSchema, description);
const authed: Record<string, string[]>[] = [{ cookieAuth: [] }, { bearerAuth: [] }, { apiKeyAuth: [] }];
const reads = {
  400: error('Invalid input (a LID is `<digits>@lid`; INVALID_PHONE)'),
  401: error('Not authenticated'),
  404: error('No such instance; LID_NOT_FOUND: no pair known'),
};

/** OpenAPI paths of the LID lookups (lids-router.ts), and the kind fields every message view carries. */
export function registerLidRoutes(r: OpenAPIRegistry): void {
  // No route answers this object alone (it is part of every message view), so it is a component of its own.
  const { $schema: _draft, ...kindFields } = z.toJSONSchema(MessageKindFieldsSchema, { target: 'openapi-3.0', io: 'output' }) as Record<string, unknown>;
  r.registerComponent('schemas', 'MessageKindFields', kindFields);
  r.registerPath({
    method: 'get', path: '/whatsapp/instances/{instanceId}/lids/{lid}', tags: ['messages'],
    summary: 'The phone number behind a LID, as WhatsApp told this instance', security: authed,
    request: { params: LidParamsSchema }, responses: { 200: json(LidMappingResponseSchema), ...reads },
  });
  r.registerPath({
    method: 'get', path: '/whatsapp/instances/{instanceId}/lids', tags: ['messages'],
    summary: "A phone number's LID, as WhatsApp told this instance", security: authed,
    request: { params: InstanceIdParamsSchema, query: LidQuerySchema }, responses: { 200: json(LidMappingResponseSchema), ...reads },
  });
}

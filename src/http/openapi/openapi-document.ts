import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import {
  AdminInstanceListResponseSchema,
  AdminInstanceResponseSchema,
  AdminInstancesQuerySchema,
  AdminNodeListResponseSchema,
  AdminTenantListResponseSchema,
  AdminTenantResponseSchema,
  PatchTenantBodySchema,
  TenantIdParamsSchema,
} from '../schemas/admin-schemas.js';
import {
  ApiKeyCreatedResponseSchema,
  ApiKeyIdParamsSchema,
  ApiKeyListResponseSchema,
  CreateApiKeyBodySchema,
  LoginBodySchema,
  MeResponseSchema,
  SessionResponseSchema,
  SignupBodySchema,
} from '../schemas/auth-schemas.js';
import { ErrorResponseSchema } from '../schemas/common-schemas.js';
import { HealthResponseSchema, ReadyResponseSchema } from '../schemas/health-schemas.js';
import {
  CreateInstanceBodySchema,
  InstanceCreatedResponseSchema,
  InstanceDeletedResponseSchema,
  InstanceDetailResponseSchema,
  InstanceIdParamsSchema,
  InstanceListResponseSchema,
  UpdateInstanceBodySchema,
} from '../schemas/instance-schemas.js';

const errorCodes: Record<number, string> = {
  400: 'Invalid input (VALIDATION_FAILED, MALFORMED_JSON, BAD_REQUEST; NUL characters and lone UTF-16 surrogates are refused everywhere)',
  401: 'Not authenticated',
  403: 'Not allowed (FORBIDDEN, PLAN_LIMIT_REACHED)',
  404: 'Not found',
  409: 'Conflict (INSTANCE_BUSY: another operation is changing the instance; INSTANCE_NOT_CONNECTED; INSTANCE_ALREADY_CONNECTED)',
  413: 'Body too large',
  415: 'Content-Type must be application/json',
  429: 'RATE_LIMITED (Retry-After): login failures per email+IP or per IP, signups per IP, uploads or live streams at once',
  503: 'A dependency is unreachable, or no engine node runs sockets',
  504: 'COMMAND_TIMEOUT: the node running the instance did not answer in time',
};

type Responses = RouteConfig['responses'];
const json = (schema: z.ZodType, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const errors = (...statuses: number[]): Responses =>
  Object.fromEntries(statuses.map((s) => [String(s), json(ErrorResponseSchema, errorCodes[s] ?? 'Error')]));
const body = (schema: z.ZodType) => ({ body: { required: true, content: { 'application/json': { schema } } } });
const authed: Record<string, string[]>[] = [{ cookieAuth: [] }, { bearerAuth: [] }, { apiKeyAuth: [] }];

/** OpenAPI 3.1, generated from the same zod schemas that validate requests. Later issues add their paths here. */
export function registerBaseRoutes(r: OpenAPIRegistry): void {
  r.registerComponent('securitySchemes', 'cookieAuth', { type: 'apiKey', in: 'cookie', name: 'auth-session' });
  r.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key (zk_...) or a session JWT',
  });
  r.registerComponent('securitySchemes', 'apiKeyAuth', { type: 'apiKey', in: 'header', name: 'X-Api-Key' });

  r.registerPath({ method: 'get', path: '/health', tags: ['health'], summary: 'Process is up', responses: { 200: json(HealthResponseSchema) } });
  r.registerPath({
    method: 'get', path: '/ready', tags: ['health'], summary: 'Postgres and Redis are reachable',
    responses: { 200: json(ReadyResponseSchema), ...errors(503) },
  });

  r.registerPath({
    method: 'post', path: '/auth/signup', tags: ['auth'], summary: 'Create a tenant (plan starter) and its owner; logs in',
    request: body(SignupBodySchema),
    responses: { 201: json(SessionResponseSchema, 'Created; sets the auth-session cookie'), ...errors(400, 409, 413, 415, 429) },
  });
  r.registerPath({
    method: 'post', path: '/auth/sessions', tags: ['auth'], summary: 'Log in; sets the auth-session cookie',
    request: body(LoginBodySchema),
    responses: { 200: json(SessionResponseSchema), ...errors(400, 401, 415, 429) },
  });
  r.registerPath({
    method: 'delete', path: '/auth/sessions', tags: ['auth'], summary: 'Log out; the token stops working at once',
    security: authed, responses: { 200: { description: 'Logged out' }, ...errors(401) },
  });
  r.registerPath({
    method: 'get', path: '/auth/me', tags: ['auth'], summary: 'Who is calling', security: authed,
    responses: { 200: json(MeResponseSchema), ...errors(401) },
  });
  r.registerPath({
    method: 'post', path: '/auth/api-keys', tags: ['auth'], summary: 'Create an API key (the secret is shown once)',
    security: authed, request: body(CreateApiKeyBodySchema),
    responses: { 201: json(ApiKeyCreatedResponseSchema, 'Created'), ...errors(400, 401, 415) },
  });
  r.registerPath({
    method: 'get', path: '/auth/api-keys', tags: ['auth'], summary: 'List API keys (without secrets)', security: authed,
    responses: { 200: json(ApiKeyListResponseSchema), ...errors(401) },
  });
  r.registerPath({
    method: 'delete', path: '/auth/api-keys/{id}', tags: ['auth'], summary: 'Revoke an API key', security: authed,
    request: { params: ApiKeyIdParamsSchema }, responses: { 200: { description: 'Revoked' }, ...errors(400, 401, 404) },
  });

  r.registerPath({
    method: 'get', path: '/whatsapp/instances', tags: ['instances'], summary: "List the tenant's instances",
    security: authed, responses: { 200: json(InstanceListResponseSchema), ...errors(401) },
  });
  r.registerPath({
    method: 'post', path: '/whatsapp/instances', tags: ['instances'], summary: 'Create an instance',
    security: authed, request: body(CreateInstanceBodySchema),
    responses: { 201: json(InstanceCreatedResponseSchema, 'Created'), ...errors(400, 401, 403, 413, 415) },
  });
  r.registerPath({
    method: 'get', path: '/whatsapp/instances/{instanceId}', tags: ['instances'], summary: 'Instance detail',
    security: authed, request: { params: InstanceIdParamsSchema },
    responses: { 200: json(InstanceDetailResponseSchema), ...errors(400, 401, 404) },
  });
  r.registerPath({
    method: 'put', path: '/whatsapp/instances/{instanceId}', tags: ['instances'], summary: 'Rename or change the webhook',
    security: authed, request: { params: InstanceIdParamsSchema, ...body(UpdateInstanceBodySchema) },
    responses: { 200: json(InstanceDetailResponseSchema), ...errors(400, 401, 404, 415) },
  });
  r.registerPath({
    method: 'delete', path: '/whatsapp/instances/{instanceId}', tags: ['instances'], summary: 'Delete an instance',
    security: authed, request: { params: InstanceIdParamsSchema },
    description: 'Logs the device out of WhatsApp, stops its socket and removes the instance with everything it keeps (events, auth state in Redis).',
    responses: { 200: json(InstanceDeletedResponseSchema), ...errors(400, 401, 404, 409, 503, 504) },
  });

  const engineOp = (path: string, summary: string, description: string) =>
    r.registerPath({
      method: 'post', path, tags: ['instances'], summary, description, security: authed,
      request: { params: InstanceIdParamsSchema },
      responses: { 200: json(InstanceDetailResponseSchema, 'Done; the instance as it is now'), ...errors(400, 401, 404, 409, 503, 504) },
    });
  engineOp(
    '/whatsapp/instances/{instanceId}/regenerate-qr', 'Start a new cycle of QR codes',
    'After `disconnected`/`qr_expired` (6 codes of 20 s went unscanned). 409 INSTANCE_ALREADY_CONNECTED when connected.',
  );
  engineOp(
    '/whatsapp/instances/{instanceId}/restart', 'Close and reopen the connection',
    'Reconnects with the saved credentials (no QR for a paired device); an unpaired instance starts a QR cycle.',
  );
  engineOp(
    '/whatsapp/instances/{instanceId}/disconnect', 'Log out of WhatsApp',
    'Unlinks the device (the phone no longer lists it) and wipes the credentials: `disconnected`/`logged_out`. Use restart to pair again.',
  );
  r.registerPath({
    method: 'get', path: '/metrics', tags: ['health'], summary: 'Prometheus metrics (engine and process)',
    description: 'Text exposition format. When METRICS_TOKEN is set it needs `Authorization: Bearer <token>`; in production without a token it is off (404).',
    responses: { 200: { description: 'Metrics', content: { 'text/plain': { schema: { type: 'string' } } } }, ...errors(401, 404) },
  });

  r.registerPath({
    method: 'get', path: '/admin/tenants', tags: ['admin'], summary: 'All tenants (platform admins)', security: authed,
    responses: { 200: json(AdminTenantListResponseSchema), ...errors(401, 403) },
  });
  r.registerPath({
    method: 'patch', path: '/admin/tenants/{id}', tags: ['admin'], summary: "Change a tenant's plan", security: authed,
    request: { params: TenantIdParamsSchema, ...body(PatchTenantBodySchema) },
    responses: { 200: json(AdminTenantResponseSchema), ...errors(400, 401, 403, 404) },
  });
  r.registerPath({
    method: 'get', path: '/admin/instances', tags: ['admin'], summary: 'All instances, optionally by status', security: authed,
    request: { query: AdminInstancesQuerySchema },
    responses: { 200: json(AdminInstanceListResponseSchema), ...errors(400, 401, 403) },
  });
  r.registerPath({
    method: 'get', path: '/admin/nodes', tags: ['admin'], security: authed,
    summary: 'Instances by the node holding their socket lease, with counts by status and connections in the last hour',
    responses: { 200: json(AdminNodeListResponseSchema), ...errors(400, 401, 403) },
  });
  r.registerPath({
    method: 'post', path: '/admin/instances/{instanceId}/restart', tags: ['admin'], summary: "Restart any tenant's instance",
    security: authed, request: { params: InstanceIdParamsSchema },
    responses: { 200: json(AdminInstanceResponseSchema), ...errors(400, 401, 403, 404, 409, 503, 504) },
  });
}

export type OpenApiContributor = (registry: OpenAPIRegistry) => void;

/** Builds the document; `contributors` let other modules (engine, messages, webhooks) add their paths. */
export function buildOpenApiDocument(contributors: OpenApiContributor[] = []): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  registerBaseRoutes(registry);
  for (const contribute of contributors) contribute(registry);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Zap Engine API',
      version: '0.1.0',
      description: 'Self-hosted multi-tenant WhatsApp engine. Errors: { success: false, error: { code, message, details? } }.',
    },
  });
}

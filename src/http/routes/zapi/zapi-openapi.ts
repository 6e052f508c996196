import type { OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import type { ZapiCapabilities } from '../../../services/zapi/zapi-service.js';
import type { OpenApiContributor } from '../../openapi/openapi-document.js';
import { ErrorResponseSchema } from '../../schemas/common-schemas.js';
import {
  ZapiChatListResponseSchema,
  ZapiContactListResponseSchema,
  ZapiConversationParamsSchema,
  ZapiConversationQuerySchema,
  ZapiCreateInstanceBodySchema,
  ZapiInstanceDeletedResponseSchema,
  ZapiInstanceListResponseSchema,
  ZapiInstanceParamsSchema,
  ZapiInstanceSchema,
  ZapiLinkParamsSchema,
  ZapiLinkStatusResponseSchema,
  ZapiMessageListResponseSchema,
  ZapiPagedParamsSchema,
  ZapiPageSizeQuerySchema,
  ZapiQrResponseSchema,
  ZapiSystemIdHeaderSchema,
  ZapiTokenBodySchema,
  ZapiTokenResponseSchema,
  ZapiValueTrueResponseSchema,
} from '../../schemas/zapi-schemas.js';
import { ZapiSendMediaMultipartDocSchema, ZapiSendTextBodyDocSchema } from '../../schemas/zapi-send-schemas.js';

const TAG = 'Z-API compat';
type Responses = RouteConfig['responses'];
const json = (schema: z.ZodType, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const errors = (...statuses: number[]): Responses =>
  Object.fromEntries(statuses.map((s) => [String(s), json(ErrorResponseSchema, 'Error ({ success: false, error })')]));
const jsonBody = (schema: z.ZodType) => ({ body: { required: true, content: { 'application/json': { schema } } } });
const security: Record<string, string[]>[] = [{ zapiToken: [] }];

/** The /api routes in the OpenAPI document; routes without their port are left out, as they are not served. */
export function zapiOpenApi(can: ZapiCapabilities): OpenApiContributor {
  return (r: OpenAPIRegistry) => {
    r.registerComponent('securitySchemes', 'compatToken', {
      type: 'http',
      scheme: 'bearer',
      description: 'Token from POST /api/auth/token (our API keys and sessions work too), always with X-Sistema-ID',
    });
    const headers = ZapiSystemIdHeaderSchema;

    r.registerPath({
      method: 'post', path: '/api/auth/token', tags: [TAG], summary: 'Token from an API key (chave_api) and X-Sistema-ID',
      request: { headers, ...jsonBody(ZapiTokenBodySchema) },
      responses: { 200: json(ZapiTokenResponseSchema), ...errors(400, 401, 403, 415) },
    });
    r.registerPath({
      method: 'post', path: '/api/instancias', tags: [TAG], summary: 'Create an instance (plan limits apply; tag unique)',
      security, request: { headers, ...jsonBody(ZapiCreateInstanceBodySchema) },
      responses: { 201: json(ZapiInstanceSchema, 'Created'), ...errors(400, 401, 403, 409, 415) },
    });
    r.registerPath({
      method: 'get', path: '/api/instancias', tags: [TAG], summary: 'List instances', security, request: { headers },
      responses: { 200: json(ZapiInstanceListResponseSchema), ...errors(401, 403) },
    });
    r.registerPath({
      method: 'get', path: '/api/instancias/{uuid}', tags: [TAG], summary: 'One instance (uuid or numeric id)', security,
      request: { headers, params: ZapiInstanceParamsSchema },
      responses: { 200: json(ZapiInstanceSchema), ...errors(400, 401, 403, 404) },
    });
    r.registerPath({
      method: 'delete', path: '/api/instancias/{uuid}', tags: [TAG], summary: 'Delete an instance (logs the device out)', security,
      request: { headers, params: ZapiInstanceParamsSchema },
      responses: { 200: json(ZapiInstanceDeletedResponseSchema), ...errors(400, 401, 403, 404) },
    });
    r.registerPath({
      method: 'get', path: '/api/vinculos/status/{instancia_uuid}', tags: [TAG], summary: 'Is the instance connected', security,
      request: { headers, params: ZapiLinkParamsSchema },
      responses: { 200: json(ZapiLinkStatusResponseSchema), ...errors(400, 401, 403, 404) },
    });
    if (can.qr) {
      r.registerPath({
        method: 'get', path: '/api/vinculos/qrcode/{instancia_uuid}', tags: [TAG], summary: 'QR code to link WhatsApp', security,
        request: { headers, params: ZapiLinkParamsSchema },
        responses: { 200: json(ZapiQrResponseSchema), ...errors(400, 401, 403, 404, 409) },
      });
    }
    if (can.disconnect) {
      r.registerPath({
        method: 'get', path: '/api/vinculos/desconectar/{instancia_uuid}', tags: [TAG], summary: 'Unlink WhatsApp', security,
        request: { headers, params: ZapiLinkParamsSchema },
        responses: { 200: json(ZapiValueTrueResponseSchema), ...errors(400, 401, 403, 404) },
      });
    }
    if (can.send) {
      r.registerPath({
        method: 'post', path: '/api/mensagens/enviar-mensagem-simples', tags: [TAG], summary: 'Send a text', security,
        request: { headers, ...jsonBody(ZapiSendTextBodyDocSchema) },
        responses: { 200: { description: 'Queued: { error: false, http_code: 200, message, data: { contato, chat } }' }, ...errors(400, 401, 403, 404, 415) },
      });
      r.registerPath({
        method: 'post', path: '/api/mensagens/enviar-midia', tags: [TAG], summary: 'Send an uploaded file', security,
        request: {
          headers,
          body: { required: true, content: { 'multipart/form-data': { schema: ZapiSendMediaMultipartDocSchema } } },
        },
        responses: { 200: { description: 'Queued: { error: false, http_code: 200, message, data: { contato, chat } }' }, ...errors(400, 401, 403, 404, 413, 415) },
      });
    }
    r.registerPath({
      method: 'get', path: '/api/contatos/listar/{instancia_uuid}/{pagina}', tags: [TAG], summary: 'Contacts, one page', security,
      request: { headers, params: ZapiPagedParamsSchema, query: ZapiPageSizeQuerySchema },
      responses: { 200: json(ZapiContactListResponseSchema), ...errors(400, 401, 403, 404) },
    });
    r.registerPath({
      method: 'get', path: '/api/conversas/listar/{instancia_uuid}/{contato}', tags: [TAG],
      summary: 'Messages with one contact, newest first', security,
      request: { headers, params: ZapiConversationParamsSchema, query: ZapiConversationQuerySchema },
      responses: { 200: json(ZapiMessageListResponseSchema), ...errors(400, 401, 403, 404) },
    });
    r.registerPath({
      method: 'get', path: '/api/chats/pegar-chats/{instancia_uuid}/{pagina}', tags: [TAG], summary: 'Chats, one page', security,
      request: { headers, params: ZapiPagedParamsSchema, query: ZapiPageSizeQuerySchema },
      responses: { 200: json(ZapiChatListResponseSchema), ...errors(400, 401, 403, 404) },
    });
  };
}

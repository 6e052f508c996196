import { Router } from 'express';
import type { ZapiAuthService } from '../../../services/zapi/zapi-auth-service.js';
import type { ZapiService } from '../../../services/zapi/zapi-service.js';
import {
  ZapiConversationParamsSchema,
  ZapiConversationQuerySchema,
  ZapiCreateInstanceBodySchema,
  ZapiInstanceParamsSchema,
  ZapiLinkParamsSchema,
  ZapiPagedParamsSchema,
  ZapiPageSizeQuerySchema,
  ZapiTokenBodySchema,
  toInstanceRef,
} from '../../schemas/zapi-schemas.js';
import { ZapiSendTextBodySchema, parseZapiSendMedia } from '../../schemas/zapi-send-schemas.js';
import { validate } from '../../validate.js';
import { zapiAuthenticate, zapiCallerOf } from './zapi-authenticate.js';
import { COMPAT_MAX_UPLOAD_BYTES } from './zapi-upload.js';
import type { UploadGate } from '../../uploads/upload-gate.js';

function fieldOf(fields: unknown, name: string): string | undefined {
  const value = typeof fields === 'object' && fields !== null ? (fields as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

export interface ZapiRouterDeps {
  auth: ZapiAuthService;
  zapi: ZapiService;
  maxUploadBytes?: number;
  /** Upload slots and staging, shared with /whatsapp's send-media. */
  uploads: UploadGate;
}

/**
 * /api: the Z-API-INSTANCE API v1.0.4, so its existing clients keep working unchanged. Answers use that API's
 * shapes; errors use ours. Routes that need the engine or the send pipeline exist only when their port does.
 */
export function zapiRouter(deps: ZapiRouterDeps): Router {
  const router = Router();
  const { zapi } = deps;

  router.post('/api/auth/token', async (req, res) => {
    const body = validate(ZapiTokenBodySchema, req.body, 'body');
    res.json(await deps.auth.issueToken({ apiKey: body.chave_api, systemIdHeader: req.get('x-sistema-id') }));
  });

  router.use('/api', zapiAuthenticate(deps.auth));

  // Instâncias
  router.post('/api/instancias', async (req, res) => {
    const body = validate(ZapiCreateInstanceBodySchema, req.body, 'body');
    // instance_token and client_token were validated above and go no further (see ZapiService.createInstance).
    const created = await zapi.createInstance(zapiCallerOf(req), {
      tag: body.tag,
      descricao: body.descricao,
      instanceId: body.instance_id,
    });
    res.status(201).json(created);
  });

  router.get('/api/instancias', async (req, res) => {
    res.json(await zapi.listInstances(zapiCallerOf(req)));
  });

  router.get('/api/instancias/:uuid', async (req, res) => {
    const { uuid } = validate(ZapiInstanceParamsSchema, req.params, 'params');
    res.json(await zapi.getInstance(zapiCallerOf(req), toInstanceRef(uuid)));
  });

  router.delete('/api/instancias/:uuid', async (req, res) => {
    const { uuid } = validate(ZapiInstanceParamsSchema, req.params, 'params');
    await zapi.removeInstance(zapiCallerOf(req), toInstanceRef(uuid));
    res.json({ success: true, message: 'Instância removida com sucesso.' });
  });

  // Vínculo com WhatsApp
  router.get('/api/vinculos/status/:instancia_uuid', async (req, res) => {
    const { instancia_uuid } = validate(ZapiLinkParamsSchema, req.params, 'params');
    res.json(await zapi.linkStatus(zapiCallerOf(req), toInstanceRef(instancia_uuid)));
  });

  const can = zapi.capabilities();
  if (can.qr) {
    router.get('/api/vinculos/qrcode/:instancia_uuid', async (req, res) => {
      const { instancia_uuid } = validate(ZapiLinkParamsSchema, req.params, 'params');
      res.json(await zapi.qrCode(zapiCallerOf(req), toInstanceRef(instancia_uuid)));
    });
  }
  if (can.disconnect) {
    router.get('/api/vinculos/desconectar/:instancia_uuid', async (req, res) => {
      const { instancia_uuid } = validate(ZapiLinkParamsSchema, req.params, 'params');
      res.json(await zapi.disconnect(zapiCallerOf(req), toInstanceRef(instancia_uuid)));
    });
  }

  // Mensagens
  if (can.send) {
    router.post('/api/mensagens/enviar-mensagem-simples', async (req, res) => {
      const body = validate(ZapiSendTextBodySchema, req.body, 'body');
      res.json(await zapi.sendText(zapiCallerOf(req), body));
    });
    router.post('/api/mensagens/enviar-midia', async (req, res) => {
      const caller = zapiCallerOf(req); // authenticated before the body is read (router.use above)
      // The instance is a form field: it is checked as soon as it has arrived, before the file part is read.
      const checkInstance = async (fields: unknown) => {
        const raw = fieldOf(fields, 'instancia_uuid') ?? fieldOf(fields, 'instancia_id');
        if (raw !== undefined && /^[0-9a-f-]{36}$|^\d{1,15}$/i.test(raw.trim())) await zapi.assertInstance(caller, toInstanceRef(raw.trim()));
      };
      const { file, cleanup } = await deps.uploads.receive(req, res, caller.tenantId, {
        field: 'document',
        maxBytes: deps.maxUploadBytes ?? COMPAT_MAX_UPLOAD_BYTES,
        beforeFile: (r) => checkInstance(r.body),
      });
      try {
        const input = parseZapiSendMedia(req.body, file);
        res.json(await zapi.sendMedia(caller, input));
      } finally {
        await cleanup();
      }
    });
  }

  // Contatos, conversas, chats
  router.get('/api/contatos/listar/:instancia_uuid/:pagina', async (req, res) => {
    const { instancia_uuid, pagina } = validate(ZapiPagedParamsSchema, req.params, 'params');
    const { pageSize } = validate(ZapiPageSizeQuerySchema, req.query, 'query');
    res.json(await zapi.listContacts(zapiCallerOf(req), toInstanceRef(instancia_uuid), { page: pagina, pageSize }));
  });

  router.get('/api/conversas/listar/:instancia_uuid/:contato', async (req, res) => {
    const { instancia_uuid, contato } = validate(ZapiConversationParamsSchema, req.params, 'params');
    const { page, pageSize } = validate(ZapiConversationQuerySchema, req.query, 'query');
    res.json(await zapi.listConversation(zapiCallerOf(req), toInstanceRef(instancia_uuid), contato, { page, pageSize }));
  });

  router.get('/api/chats/pegar-chats/:instancia_uuid/:pagina', async (req, res) => {
    const { instancia_uuid, pagina } = validate(ZapiPagedParamsSchema, req.params, 'params');
    const { pageSize } = validate(ZapiPageSizeQuerySchema, req.query, 'query');
    res.json(await zapi.listChats(zapiCallerOf(req), toInstanceRef(instancia_uuid), { page: pagina, pageSize }));
  });

  return router;
}

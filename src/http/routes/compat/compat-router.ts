import { Router } from 'express';
import type { CompatAuthService } from '../../../services/compat/compat-auth-service.js';
import type { ZapiCompatService } from '../../../services/compat/zapi-compat-service.js';
import {
  CompatConversationParamsSchema,
  CompatConversationQuerySchema,
  CompatCreateInstanceBodySchema,
  CompatInstanceParamsSchema,
  CompatLinkParamsSchema,
  CompatPagedParamsSchema,
  CompatPageSizeQuerySchema,
  CompatTokenBodySchema,
  toInstanceRef,
} from '../../schemas/compat-schemas.js';
import { CompatSendTextBodySchema, parseCompatSendMedia } from '../../schemas/compat-send-schemas.js';
import { validate } from '../../validate.js';
import { compatAuthenticate, compatCallerOf } from './compat-authenticate.js';
import { compatUpload } from './compat-upload.js';

export interface CompatRouterDeps {
  auth: CompatAuthService;
  compat: ZapiCompatService;
  maxUploadBytes?: number;
}

/**
 * /api: the Z-API-INSTANCE API v1.0.4, so its existing clients keep working unchanged. Answers use that API's
 * shapes; errors use ours. Routes that need the engine or the send pipeline exist only when their port does.
 */
export function compatRouter(deps: CompatRouterDeps): Router {
  const router = Router();
  const { compat } = deps;

  router.post('/api/auth/token', async (req, res) => {
    const body = validate(CompatTokenBodySchema, req.body, 'body');
    res.json(await deps.auth.issueToken({ apiKey: body.chave_api, systemIdHeader: req.get('x-sistema-id') }));
  });

  router.use('/api', compatAuthenticate(deps.auth));

  // Instâncias
  router.post('/api/instancias', async (req, res) => {
    const body = validate(CompatCreateInstanceBodySchema, req.body, 'body');
    // instance_token and client_token were validated above and go no further (see ZapiCompatService.createInstance).
    const created = await compat.createInstance(compatCallerOf(req), {
      tag: body.tag,
      descricao: body.descricao,
      instanceId: body.instance_id,
    });
    res.status(201).json(created);
  });

  router.get('/api/instancias', async (req, res) => {
    res.json(await compat.listInstances(compatCallerOf(req)));
  });

  router.get('/api/instancias/:uuid', async (req, res) => {
    const { uuid } = validate(CompatInstanceParamsSchema, req.params, 'params');
    res.json(await compat.getInstance(compatCallerOf(req), toInstanceRef(uuid)));
  });

  router.delete('/api/instancias/:uuid', async (req, res) => {
    const { uuid } = validate(CompatInstanceParamsSchema, req.params, 'params');
    await compat.removeInstance(compatCallerOf(req), toInstanceRef(uuid));
    res.json({ success: true, message: 'Instância removida com sucesso.' });
  });

  // Vínculo com WhatsApp
  router.get('/api/vinculos/status/:instancia_uuid', async (req, res) => {
    const { instancia_uuid } = validate(CompatLinkParamsSchema, req.params, 'params');
    res.json(await compat.linkStatus(compatCallerOf(req), toInstanceRef(instancia_uuid)));
  });

  const can = compat.capabilities();
  if (can.qr) {
    router.get('/api/vinculos/qrcode/:instancia_uuid', async (req, res) => {
      const { instancia_uuid } = validate(CompatLinkParamsSchema, req.params, 'params');
      res.json(await compat.qrCode(compatCallerOf(req), toInstanceRef(instancia_uuid)));
    });
  }
  if (can.disconnect) {
    router.get('/api/vinculos/desconectar/:instancia_uuid', async (req, res) => {
      const { instancia_uuid } = validate(CompatLinkParamsSchema, req.params, 'params');
      res.json(await compat.disconnect(compatCallerOf(req), toInstanceRef(instancia_uuid)));
    });
  }

  // Mensagens
  if (can.send) {
    router.post('/api/mensagens/enviar-mensagem-simples', async (req, res) => {
      const body = validate(CompatSendTextBodySchema, req.body, 'body');
      res.json(await compat.sendText(compatCallerOf(req), body));
    });
    router.post('/api/mensagens/enviar-midia', compatUpload(deps.maxUploadBytes), async (req, res) => {
      const input = parseCompatSendMedia(req.body, req.file);
      res.json(await compat.sendMedia(compatCallerOf(req), input));
    });
  }

  // Contatos, conversas, chats
  router.get('/api/contatos/listar/:instancia_uuid/:pagina', async (req, res) => {
    const { instancia_uuid, pagina } = validate(CompatPagedParamsSchema, req.params, 'params');
    const { pageSize } = validate(CompatPageSizeQuerySchema, req.query, 'query');
    res.json(await compat.listContacts(compatCallerOf(req), toInstanceRef(instancia_uuid), { page: pagina, pageSize }));
  });

  router.get('/api/conversas/listar/:instancia_uuid/:contato', async (req, res) => {
    const { instancia_uuid, contato } = validate(CompatConversationParamsSchema, req.params, 'params');
    const { page, pageSize } = validate(CompatConversationQuerySchema, req.query, 'query');
    res.json(await compat.listConversation(compatCallerOf(req), toInstanceRef(instancia_uuid), contato, { page, pageSize }));
  });

  router.get('/api/chats/pegar-chats/:instancia_uuid/:pagina', async (req, res) => {
    const { instancia_uuid, pagina } = validate(CompatPagedParamsSchema, req.params, 'params');
    const { pageSize } = validate(CompatPageSizeQuerySchema, req.query, 'query');
    res.json(await compat.listChats(compatCallerOf(req), toInstanceRef(instancia_uuid), { page: pagina, pageSize }));
  });

  return router;
}

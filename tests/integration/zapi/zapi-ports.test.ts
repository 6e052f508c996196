import { createHash } from 'node:crypto';
import request from 'supertest';
import { createTestApp, type TestApp } from '../../support/app.js';
import type {
  ZapiMediaSend,
  ZapiPorts,
  ZapiQrState,
  ZapiTextSend,
} from '../../../src/services/zapi/zapi-ports.js';
import { zapiClient, zapiInstance } from './zapi-fixtures.js';

/** Fakes standing in for the engine and the send pipeline, recording what the compat surface asks of them. */
function fakePorts() {
  const calls = { qr: [] as string[], disconnect: [] as string[], text: [] as ZapiTextSend[], media: [] as ZapiMediaSend[] };
  let qrState: ZapiQrState = { state: 'qr', pngDataUrl: 'data:image/png;base64,iVBORw0KGgo=' };
  const accepted = { messageId: 'msg_fake000000000001', waMessageId: '3EB04130ACC8EB81D59E70', chatJid: 'x', acceptedAt: new Date('2025-05-28T23:31:27Z') };
  const ports: ZapiPorts = {
    qr: { currentQr: async ({ instanceId }) => (calls.qr.push(instanceId), qrState) },
    disconnect: { disconnect: async ({ instanceId }) => void calls.disconnect.push(instanceId) },
    send: {
      sendText: async (input) => (calls.text.push(input), { ...accepted, chatJid: input.to }),
      sendMedia: async (input) => (calls.media.push(input), { ...accepted, chatJid: input.to }),
    },
  };
  return { ports, calls, setQr: (s: ZapiQrState) => void (qrState = s) };
}

describe('without the engine and send ports', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('does not serve qrcode, desconectar or the send routes (no fake data), and leaves them out of the docs', async () => {
    const client = await zapiClient(t.app);
    const inst = await zapiInstance(t.app, client);
    for (const [method, path] of [
      ['get', `/api/vinculos/qrcode/${inst.uuid}`],
      ['get', `/api/vinculos/desconectar/${inst.uuid}`],
      ['post', '/api/mensagens/enviar-mensagem-simples'],
      ['post', '/api/mensagens/enviar-midia'],
    ] as const) {
      const res = await request(t.app)[method](path).set(client.headers);
      expect([path, res.status, res.body.success]).toEqual([path, 404, false]);
    }
    const doc = await request(t.app).get('/openapi.json');
    const paths = Object.keys(doc.body.paths).filter((p) => p.startsWith('/api/'));
    expect(paths.sort()).toEqual([
      '/api/auth/token',
      '/api/chats/pegar-chats/{instancia_uuid}/{pagina}',
      '/api/contatos/listar/{instancia_uuid}/{pagina}',
      '/api/conversas/listar/{instancia_uuid}/{contato}',
      '/api/instancias',
      '/api/instancias/{uuid}',
      '/api/vinculos/status/{instancia_uuid}',
    ]);
    expect(doc.body.paths['/api/instancias'].post.tags).toEqual(['Z-API compat']);
  });
});

describe('with the ports', () => {
  let t: TestApp;
  const fake = fakePorts();
  beforeAll(async () => {
    t = await createTestApp({ zapiPorts: fake.ports });
  });
  afterAll(async () => {
    await t.close();
  });

  async function setup() {
    const client = await zapiClient(t.app);
    const inst = await zapiInstance(t.app, client);
    const row = await t.services.repositories.instances.findForTenantByZapiRef({ uuid: inst.uuid }, client.tenantId);
    return { client, inst, instanceId: row!.id };
  }

  it('documents every route', async () => {
    const doc = await request(t.app).get('/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/vinculos/qrcode/{instancia_uuid}',
        '/api/vinculos/desconectar/{instancia_uuid}',
        '/api/mensagens/enviar-mensagem-simples',
        '/api/mensagens/enviar-midia',
      ]),
    );
    expect(Object.keys(doc.body.paths['/api/mensagens/enviar-midia'].post.requestBody.content)).toEqual(['multipart/form-data']);
  });

  it('GET /api/vinculos/qrcode answers {value} from the engine, 409 when already connected', async () => {
    const s = await setup();
    const res = await request(t.app).get(`/api/vinculos/qrcode/${s.inst.uuid}`).set(s.client.headers);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ value: 'data:image/png;base64,iVBORw0KGgo=' });
    expect(fake.calls.qr).toContain(s.instanceId);
    fake.setQr({ state: 'connected' });
    const connected = await request(t.app).get(`/api/vinculos/qrcode/${s.inst.id}`).set(s.client.headers);
    expect(connected.status).toBe(409);
    expect(connected.body.error.code).toBe('ALREADY_CONNECTED');
  });

  it('GET /api/vinculos/desconectar answers {value: true}; another tenant’s instance is a 404 and untouched', async () => {
    const s = await setup();
    const other = await zapiClient(t.app);
    const denied = await request(t.app).get(`/api/vinculos/desconectar/${s.inst.uuid}`).set(other.headers);
    expect(denied.status).toBe(404);
    expect(fake.calls.disconnect).not.toContain(s.instanceId);
    const res = await request(t.app).get(`/api/vinculos/desconectar/${s.inst.uuid}`).set(s.client.headers);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ value: true });
    expect(fake.calls.disconnect).toContain(s.instanceId);
  });

  it('POST /api/mensagens/enviar-mensagem-simples takes instancia_id as in the example and answers v1.0.4’s shape', async () => {
    const s = await setup();
    const res = await request(t.app)
      .post('/api/mensagens/enviar-mensagem-simples')
      .set(s.client.headers)
      .send({ instancia_id: String(s.inst.id), phone: '5521980000000', message: 'Olá!', isGroup: false });
    expect(res.status).toBe(200);
    expect(fake.calls.text.at(-1)).toEqual({ tenantId: s.client.tenantId, instanceId: s.instanceId, to: '5521980000000@s.whatsapp.net', text: 'Olá!' });
    expect(res.body).toMatchObject({
      error: false,
      http_code: 200,
      message: 'Mensagem registrada com sucesso.',
      data: {
        contato: { instancia_id: s.inst.id, sistema_id: s.client.systemId, contato: '5521980000000', grupo: 'N' },
        chat: { instancia_id: s.inst.id, sistema_id: s.client.systemId, zaap_id: 'msg_fake000000000001', message_id: '3EB04130ACC8EB81D59E70', tipo: 'envio', quem_enviou: 'sistema', mensagem: 'Olá!' },
      },
    });
  });

  it('sends to a group with isGroup "S", by instancia_uuid', async () => {
    const s = await setup();
    const res = await request(t.app)
      .post('/api/mensagens/enviar-mensagem-simples')
      .set(s.client.headers)
      .send({ instancia_uuid: s.inst.uuid, phone: '120363019502650977', message: 'Oi grupo', isGroup: 'S' });
    expect(res.status).toBe(200);
    expect(fake.calls.text.at(-1)?.to).toBe('120363019502650977@g.us');
    expect(res.body.data.contato.grupo).toBe('S');
  });

  it('POST /api/mensagens/enviar-midia takes the multipart form of the curl example', async () => {
    const s = await setup();
    const pdf = Buffer.from('%PDF-1.4 fake document');
    const res = await request(t.app)
      .post('/api/mensagens/enviar-midia')
      .set(s.client.headers)
      .field('instancia_uuid', s.inst.uuid)
      .field('phone', '5521981642364')
      .field('chatName', '')
      .field('isGroup', 'N')
      .field('caption', '')
      .field('midia_type', 'document')
      .attach('document', pdf, { filename: 'Teste - Z-API-INSTANCE.pdf', contentType: 'application/pdf' });
    expect(res.status).toBe(200);
    const sent = fake.calls.media.at(-1)!;
    expect(sent).toMatchObject({
      instanceId: s.instanceId,
      to: '5521981642364@s.whatsapp.net',
      mediaType: 'document',
      caption: null,
      file: { mimetype: 'application/pdf', fileName: 'Teste - Z-API-INSTANCE.pdf', size: pdf.length },
    });
    expect(sent.file.staged.sha256).toBe(createHash('sha256').update(pdf).digest('hex'));
    expect(res.body.message).toBe('Documento registrado com sucesso.');
    expect(res.body.data.chat.mensagem).toBe('{{ENVIO DE DOCUMENTO}} Teste - Z-API-INSTANCE.pdf');
  });

  it('refuses a multipart form without the file, or with a file in another field, with 400', async () => {
    const s = await setup();
    const missing = await request(t.app)
      .post('/api/mensagens/enviar-midia')
      .set(s.client.headers)
      .field('instancia_uuid', s.inst.uuid)
      .field('phone', '5521981642364')
      .field('midia_type', 'document');
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([expect.objectContaining({ path: 'document' })]);
    const wrongField = await request(t.app)
      .post('/api/mensagens/enviar-midia')
      .set(s.client.headers)
      .field('instancia_uuid', s.inst.uuid)
      .attach('arquivo', Buffer.from('x'), 'x.txt');
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.success).toBe(false);
  });

  it('answers 404 when sending through another tenant’s instance', async () => {
    const s = await setup();
    const other = await zapiClient(t.app);
    const before = fake.calls.text.length;
    const res = await request(t.app)
      .post('/api/mensagens/enviar-mensagem-simples')
      .set(other.headers)
      .send({ instancia_uuid: s.inst.uuid, phone: '5521980000000', message: 'x' });
    expect(res.status).toBe(404);
    expect(fake.calls.text.length).toBe(before);
  });
});

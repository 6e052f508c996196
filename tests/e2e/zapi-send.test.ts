import { jest } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import { startEngineApp, type EngineApp } from '../support/engine-app.js';
import { eventually, messagingEnv, newContact } from '../support/messaging.js';
import { zapiClient, zapiInstance, type ZapiClient } from '../integration/zapi/zapi-fixtures.js';

jest.setTimeout(120_000);

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(4000)]);

let e: EngineApp;
let client: ZapiClient;
let inst: { id: number; uuid: string };
let phone: string;

beforeAll(async () => {
  e = await startEngineApp({ env: messagingEnv() });
  client = await zapiClient(e.app);
  inst = await zapiInstance(e.app, client);
  const row = await e.services.repositories.instances.findForTenantByZapiRef({ uuid: inst.uuid }, client.tenantId);
  ({ phone } = await e.pair(client.cookie, row!.id));
});
afterAll(async () => {
  await e?.close();
});

async function inboxOf(contact: string, count: number) {
  return eventually(async () => {
    const items = await e.control.inbox(contact);
    if (items.length < count) throw new Error(`inbox has ${items.length}`);
    return items;
  }, 30_000);
}

describe('Z-API-INSTANCE compat send, end to end (engine + simulator)', () => {
  it('is served and documented: createNode gives the compat surface the messaging send port', async () => {
    const doc = await request(e.app).get('/openapi.json');
    expect(doc.body.paths['/api/mensagens/enviar-mensagem-simples']?.post).toBeDefined();
    expect(Object.keys(doc.body.paths['/api/mensagens/enviar-midia']?.post.requestBody.content ?? {})).toEqual(['multipart/form-data']);
  });

  it('POST /api/mensagens/enviar-mensagem-simples delivers the text, by instancia_uuid and by instancia_id', async () => {
    const contact = await newContact(e, 'Cliente');
    const byUuid = await request(e.app)
      .post('/api/mensagens/enviar-mensagem-simples')
      .set(client.headers)
      .send({ instancia_uuid: inst.uuid, phone: contact, message: 'Olá pelo uuid', isGroup: false });
    expect(byUuid.status).toBe(200);
    expect(byUuid.body).toMatchObject({
      error: false,
      http_code: 200,
      message: 'Mensagem registrada com sucesso.',
      data: {
        contato: { instancia_id: inst.id, sistema_id: client.systemId, contato: contact, grupo: 'N' },
        chat: { instancia_id: inst.id, sistema_id: client.systemId, zaap_id: expect.stringMatching(/^msg_/), tipo: 'envio', mensagem: 'Olá pelo uuid' },
      },
    });

    const byId = await request(e.app)
      .post('/api/mensagens/enviar-mensagem-simples')
      .set(client.headers)
      .send({ instancia_id: String(inst.id), phone: contact, message: 'Olá pelo id', isGroup: 'N' });
    expect(byId.status).toBe(200);
    expect(byId.body).toMatchObject({ error: false, http_code: 200, data: { chat: { mensagem: 'Olá pelo id' } } });

    const inbox = await inboxOf(contact, 2);
    expect(inbox.map((m) => ({ from: m.from, type: m.type, text: m.text }))).toEqual([
      { from: phone, type: 'text', text: 'Olá pelo uuid' },
      { from: phone, type: 'text', text: 'Olá pelo id' },
    ]);
    expect(inbox.map((m) => m.id)).toEqual([byUuid.body.data.chat.message_id, byId.body.data.chat.message_id]);
  });

  it('POST /api/mensagens/enviar-midia (multipart, field "document") delivers the file unchanged with its caption', async () => {
    const contact = await newContact(e, 'Documento');
    const res = await request(e.app)
      .post('/api/mensagens/enviar-midia')
      .set(client.headers)
      .field('instancia_uuid', inst.uuid)
      .field('phone', contact)
      .field('chatName', '')
      .field('isGroup', 'N')
      .field('caption', 'Segue o relatório')
      .field('midia_type', 'document')
      .attach('document', PDF, { filename: 'relatorio.pdf', contentType: 'application/pdf' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      error: false,
      http_code: 200,
      message: 'Documento registrado com sucesso.',
      data: {
        contato: { instancia_id: inst.id, sistema_id: client.systemId, contato: contact, grupo: 'N' },
        chat: { instancia_id: inst.id, zaap_id: expect.stringMatching(/^msg_/), mensagem: '{{ENVIO DE DOCUMENTO}} relatorio.pdf' },
      },
    });

    const [item] = await inboxOf(contact, 1);
    expect(item).toMatchObject({
      id: res.body.data.chat.message_id,
      from: phone,
      type: 'document',
      fileName: 'relatorio.pdf',
      caption: 'Segue o relatório',
      mimetype: 'application/pdf',
      sha256: sha256(PDF),
    });
  });
});

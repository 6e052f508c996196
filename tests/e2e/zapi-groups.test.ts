import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { startEngineApp, type EngineApp } from '../support/engine-app.js';
import { eventually, messagingEnv, newContact } from '../support/messaging.js';
import { zapiClient, zapiInstance, type ZapiClient } from '../integration/zapi/zapi-fixtures.js';

jest.setTimeout(120_000);

const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(2000)]);

let e: EngineApp;
let client: ZapiClient;
let inst: { id: number; uuid: string };
let phone: string;
let members: string[];
let group: string;

beforeAll(async () => {
  e = await startEngineApp({ env: messagingEnv() });
  client = await zapiClient(e.app);
  inst = await zapiInstance(e.app, client);
  const row = await e.services.repositories.instances.findForTenantByZapiRef({ uuid: inst.uuid }, client.tenantId);
  ({ phone } = await e.pair(client.cookie, row!.id));
  members = [await newContact(e, 'Ana'), await newContact(e, 'Bia')];
  group = (await e.control.createGroup({ creator: members[0]!, subject: 'Equipe', participants: [phone, members[1]!] })).jid;
});
afterAll(async () => {
  await e?.close();
});

/** The group message with this WhatsApp id, once every member contact has it. */
async function atEveryMember(id: string) {
  return Promise.all(
    members.map((m) =>
      eventually(async () => {
        const found = (await e.control.inbox(m)).find((item) => item.id === id);
        if (!found) throw new Error(`${m} has not received ${id}`);
        return found;
      }, 30_000),
    ),
  );
}

describe('Z-API-INSTANCE compat: isGroup sends to the group named by phone (its id)', () => {
  it('enviar-mensagem-simples with isGroup: true and the bare group id reaches every member as a group message', async () => {
    const bareId = group.split('@')[0]!;
    const res = await request(e.app)
      .post('/api/mensagens/enviar-mensagem-simples')
      .set(client.headers)
      .send({ instancia_uuid: inst.uuid, phone: bareId, message: 'Olá, equipe!', isGroup: true });
    expect(res.status).toBe(200);
    expect(res.body.data.contato).toMatchObject({ contato: bareId, grupo: 'S' });
    for (const item of await atEveryMember(res.body.data.chat.message_id as string)) {
      expect(item).toMatchObject({ from: phone, group, type: 'text', text: 'Olá, equipe!' });
    }
  });

  it('enviar-midia with isGroup "S" sends the file to the group', async () => {
    const res = await request(e.app)
      .post('/api/mensagens/enviar-midia')
      .set(client.headers)
      .field('instancia_uuid', inst.uuid)
      .field('phone', group.split('@')[0]!)
      .field('isGroup', 'S')
      .field('caption', 'Pauta')
      .field('midia_type', 'document')
      .attach('document', PDF, { filename: 'pauta.pdf', contentType: 'application/pdf' });
    expect(res.status).toBe(200);
    expect(res.body.data.contato.grupo).toBe('S');
    for (const item of await atEveryMember(res.body.data.chat.message_id as string)) {
      expect(item).toMatchObject({ from: phone, group, type: 'document', fileName: 'pauta.pdf', caption: 'Pauta' });
    }
  });

  it('isGroup with a group id that is not digits is a 400; isGroup false sends 1:1 as before', async () => {
    const res = await request(e.app)
      .post('/api/mensagens/enviar-mensagem-simples')
      .set(client.headers)
      .send({ instancia_uuid: inst.uuid, phone: 'equipe-vendas', message: 'x', isGroup: true });
    expect(res.status).toBe(400);
    const asPhone = await request(e.app)
      .post('/api/mensagens/enviar-mensagem-simples')
      .set(client.headers)
      .send({ instancia_uuid: inst.uuid, phone: members[1], message: 'só para você', isGroup: false });
    expect(asPhone.status).toBe(200);
    expect(asPhone.body.data.contato.grupo).toBe('N');
    const item = await eventually(async () => {
      const found = (await e.control.inbox(members[1]!)).find((i) => i.id === asPhone.body.data.chat.message_id);
      if (!found) throw new Error('not yet');
      return found;
    });
    expect(item.group).toBeUndefined();
  });
});

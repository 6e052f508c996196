import request from 'supertest';
import { createTestApp, type TestApp } from '../../support/app.js';
import { zapiClient, zapiInstance, type ZapiClient } from './zapi-fixtures.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

interface Setup {
  client: ZapiClient;
  uuid: string;
  id: number;
  /** Our internal instance id, for the repositories. */
  instanceId: string;
}

async function setup(): Promise<Setup> {
  const client = await zapiClient(t.app);
  const created = await zapiInstance(t.app, client);
  const row = await t.services.repositories.instances.findForTenantByZapiRef({ uuid: created.uuid }, client.tenantId);
  if (!row) throw new Error('instance not found');
  return { client, uuid: created.uuid, id: created.id, instanceId: row.id };
}

describe('GET /api/contatos/listar/{instancia_uuid}/{pagina}', () => {
  it('lists [{vname, phone}] a page at a time, ordered by name, phones digits only as the document writes them', async () => {
    const s = await setup();
    // The engine stores phones in E.164 with a `+`; the document's example answers "5511988043592".
    await t.services.repositories.contacts.upsertMany(s.instanceId, [
      { jid: '5511988043592@s.whatsapp.net', phone: '+5511988043592', name: 'Jose Datena' },
      { jid: '5511996197800@s.whatsapp.net', phone: '+5511996197800', notify: 'Pablo Marçal' },
      { jid: '5521900000001@s.whatsapp.net', phone: '5521900000001', verifiedName: 'Empresa Verificada' },
      { jid: '5521900000002@s.whatsapp.net', phone: '5521900000002' },
      { jid: '123456789@lid', lid: '123456789@lid', name: 'Só LID' },
    ]);
    const res = await request(t.app).get(`/api/contatos/listar/${s.uuid}/1`).set(s.client.headers);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { vname: '5521900000002', phone: '5521900000002' },
      { vname: 'Empresa Verificada', phone: '5521900000001' },
      { vname: 'Jose Datena', phone: '5511988043592' },
      { vname: 'Pablo Marçal', phone: '5511996197800' },
      { vname: 'Só LID', phone: '123456789@lid' },
    ]);

    const page1 = await request(t.app).get(`/api/contatos/listar/${s.id}/1?pageSize=2`).set(s.client.headers);
    const page3 = await request(t.app).get(`/api/contatos/listar/${s.id}/3?pageSize=2`).set(s.client.headers);
    const page4 = await request(t.app).get(`/api/contatos/listar/${s.id}/4?pageSize=2`).set(s.client.headers);
    expect(page1.body.map((c: { vname: string }) => c.vname)).toEqual(['5521900000002', 'Empresa Verificada']);
    expect(page3.body).toEqual([{ vname: 'Só LID', phone: '123456789@lid' }]);
    expect(page4.body).toEqual([]);
  });

  it('pages of 20 by default', async () => {
    const s = await setup();
    await t.services.repositories.contacts.upsertMany(
      s.instanceId,
      Array.from({ length: 25 }, (_, i) => ({ jid: `55119000000${String(i).padStart(2, '0')}@s.whatsapp.net`, phone: `55119000000${String(i).padStart(2, '0')}` })),
    );
    const one = await request(t.app).get(`/api/contatos/listar/${s.uuid}/1`).set(s.client.headers);
    const two = await request(t.app).get(`/api/contatos/listar/${s.uuid}/2`).set(s.client.headers);
    expect(one.body).toHaveLength(20);
    expect(two.body).toHaveLength(5);
  });

  it.each(['0', 'abc', '-1'])('refuses page %s with 400', async (pagina) => {
    const s = await setup();
    const res = await request(t.app).get(`/api/contatos/listar/${s.uuid}/${pagina}`).set(s.client.headers);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ location: 'params', path: 'pagina' });
  });
});

describe('GET /api/conversas/listar/{instancia_uuid}/{contato}?page=', () => {
  it('lists [{message, fromMe, timestamp(ms)}] with one contact, newest first', async () => {
    const s = await setup();
    const jid = '5521980000000@s.whatsapp.net';
    const base = Date.UTC(2025, 3, 16, 20, 0, 0, 837);
    await t.services.repositories.messages.insertManyIfAbsent([
      { instanceId: s.instanceId, waMessageId: 'A1', chatJid: jid, fromMe: true, type: 'text', text: 'Olá!', messageTimestamp: new Date(base) },
      { instanceId: s.instanceId, waMessageId: 'A2', chatJid: jid, fromMe: false, type: 'text', text: 'Tudo bem?', messageTimestamp: new Date(base + 1000) },
      { instanceId: s.instanceId, waMessageId: 'A3', chatJid: jid, fromMe: false, type: 'image', caption: 'foto', messageTimestamp: new Date(base + 2000) },
      { instanceId: s.instanceId, waMessageId: 'A4', chatJid: jid, fromMe: false, type: 'sticker', messageTimestamp: new Date(base + 3000) },
      { instanceId: s.instanceId, waMessageId: 'B1', chatJid: '5521911111111@s.whatsapp.net', fromMe: false, type: 'text', text: 'outro', messageTimestamp: new Date(base) },
    ]);
    const res = await request(t.app).get(`/api/conversas/listar/${s.uuid}/5521980000000?page=1`).set(s.client.headers);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { message: '', fromMe: false, timestamp: base + 3000 },
      { message: 'foto', fromMe: false, timestamp: base + 2000 },
      { message: 'Tudo bem?', fromMe: false, timestamp: base + 1000 },
      { message: 'Olá!', fromMe: true, timestamp: base },
    ]);
    // The page defaults to 1; the contact may also be written as a JID or with punctuation.
    const asJid = await request(t.app).get(`/api/conversas/listar/${s.id}/${jid}`).set(s.client.headers);
    expect(asJid.body).toEqual(res.body);
    const page2 = await request(t.app).get(`/api/conversas/listar/${s.uuid}/5521980000000?page=2&pageSize=3`).set(s.client.headers);
    expect(page2.body).toEqual([{ message: 'Olá!', fromMe: true, timestamp: base }]);
  });

  it('reads a group’s messages by <id>-group', async () => {
    const s = await setup();
    await t.services.repositories.messages.insertManyIfAbsent([
      { instanceId: s.instanceId, waMessageId: 'G1', chatJid: '120363019502650977@g.us', fromMe: false, type: 'text', text: 'no grupo', messageTimestamp: new Date(1_700_000_000_000) },
    ]);
    const res = await request(t.app).get(`/api/conversas/listar/${s.uuid}/120363019502650977-group`).set(s.client.headers);
    expect(res.body).toEqual([{ message: 'no grupo', fromMe: false, timestamp: 1_700_000_000_000 }]);
  });

  it('refuses a contact that is no phone number with 400, and a bad page', async () => {
    const s = await setup();
    const bad = await request(t.app).get(`/api/conversas/listar/${s.uuid}/abc`).set(s.client.headers);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0]).toMatchObject({ location: 'params', path: 'contato' });
    const page = await request(t.app).get(`/api/conversas/listar/${s.uuid}/5521980000000?page=0`).set(s.client.headers);
    expect(page.status).toBe(400);
    expect(page.body.error.details[0]).toMatchObject({ location: 'query', path: 'page' });
  });
});

describe('GET /api/chats/pegar-chats/{instancia_uuid}/{pagina}', () => {
  it('answers the table’s shape, with its string booleans and numbers', async () => {
    const s = await setup();
    const future = new Date(Date.now() + 86_400_000);
    await t.services.repositories.chats.upsertMany(s.instanceId, [
      { jid: '5521944770011@s.whatsapp.net', name: 'Meu', pinned: true, lastMessageAt: new Date(1747678644000) },
      { jid: '5521955664411@s.whatsapp.net', name: 'Victor R', unreadCount: 3, lastMessageAt: new Date(1747777889944), mutedUntil: future, archived: true, markedSpam: true },
      { jid: '120363019502650977@g.us', name: 'Avisos', isAnnouncement: true, lastMessageAt: new Date(1747000000000), mutedUntil: new Date(1000) },
      { jid: '99887766@lid' },
    ]);
    const res = await request(t.app).get(`/api/chats/pegar-chats/${s.uuid}/1`).set(s.client.headers);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        pinned: 'true', messagesUnread: '0', unread: '0', lastMessageTime: '1747678644000', isGroupAnnouncement: false,
        archived: 'false', phone: '5521944770011', name: 'Meu', isGroup: false, isMuted: '0', isMarkedSpam: 'false',
      },
      {
        pinned: 'false', messagesUnread: '3', unread: '3', lastMessageTime: '1747777889944', isGroupAnnouncement: false,
        archived: 'true', phone: '5521955664411', name: 'Victor R', isGroup: false, isMuted: '1', isMarkedSpam: 'true',
      },
      {
        pinned: 'false', messagesUnread: '0', unread: '0', lastMessageTime: '1747000000000', isGroupAnnouncement: true,
        archived: 'false', phone: '120363019502650977-group', name: 'Avisos', isGroup: true, isMuted: '0', isMarkedSpam: 'false',
      },
      {
        pinned: 'false', messagesUnread: '0', unread: '0', lastMessageTime: '0', isGroupAnnouncement: false,
        archived: 'false', phone: '99887766@lid', name: '99887766@lid', isGroup: false, isMuted: '0', isMarkedSpam: 'false',
      },
    ]);
    const page2 = await request(t.app).get(`/api/chats/pegar-chats/${s.id}/2?pageSize=3`).set(s.client.headers);
    expect(page2.body.map((c: { phone: string }) => c.phone)).toEqual(['99887766@lid']);
  });
});

describe('GET /api/vinculos/status/{instancia_uuid}', () => {
  it.each([
    ['created', false],
    ['qr', false],
    ['connected', true],
    ['disconnected', false],
    ['banned', false],
  ] as const)('maps status %s to connected=%s', async (status, connected) => {
    const s = await setup();
    await t.services.repositories.instances.updateState(s.instanceId, { status });
    const res = await request(t.app).get(`/api/vinculos/status/${s.uuid}`).set(s.client.headers);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ connected, smartphoneConnected: connected });
  });
});

describe('tenant isolation of the read routes', () => {
  it('answers 404 for another tenant’s instance on every read route', async () => {
    const s = await setup();
    const other = await zapiClient(t.app);
    for (const path of [
      `/api/contatos/listar/${s.uuid}/1`,
      `/api/conversas/listar/${s.uuid}/5521980000000`,
      `/api/chats/pegar-chats/${s.id}/1`,
      `/api/vinculos/status/${s.uuid}`,
      `/api/vinculos/status/${s.id}`,
    ]) {
      const res = await request(t.app).get(path).set(other.headers);
      expect([path, res.status, res.body.error?.code]).toEqual([path, 404, 'NOT_FOUND']);
    }
  });
});

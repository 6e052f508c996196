import request from 'supertest';
import { createTestApp, type TestApp } from '../../support/app.js';
import type { InstanceLifecycle } from '../../../src/services/instance-lifecycle.js';
import { zapiClient, zapiInstance, type ZapiClient } from './zapi-fixtures.js';

const lifecycleCalls: string[] = [];
const lifecycle: InstanceLifecycle = {
  start: async (id) => void lifecycleCalls.push(`start:${id}`),
  stop: async (id) => void lifecycleCalls.push(`stop:${id}`),
  logout: async (id) => void lifecycleCalls.push(`logout:${id}`),
};

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ lifecycle });
});
afterAll(async () => {
  await t.close();
});

const LARAVEL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

async function proClient(): Promise<ZapiClient> {
  const client = await zapiClient(t.app);
  await t.services.repositories.tenants.updatePlan(client.tenantId, 'pro');
  return client;
}

describe('POST /api/instancias', () => {
  it('creates one of our instances and answers with the table’s shape', async () => {
    const client = await zapiClient(t.app);
    const res = await request(t.app).post('/api/instancias').set(client.headers).send({
      tag: 'principal',
      descricao: 'Instância de produção',
      instance_id: '3DFBA...',
      instance_token: 'ABC123TOKEN',
      client_token: 'xyz987',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      sistema_id: client.systemId,
      tag: 'principal',
      descricao: 'Instância de produção',
      instance_id: '3DFBA...',
      uuid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      updated_at: expect.stringMatching(LARAVEL_TIME),
      created_at: expect.stringMatching(LARAVEL_TIME),
      id: expect.any(Number),
    });
    expect(Object.keys(res.body)).toEqual(['sistema_id', 'tag', 'descricao', 'instance_id', 'uuid', 'updated_at', 'created_at', 'id']);

    // It is one of our instances: visible in the primary API, named after the tag, started by the engine.
    const ours = await request(t.app).get('/whatsapp/instances').set('Cookie', client.cookie);
    expect(ours.body.data).toEqual([expect.objectContaining({ name: 'principal', status: 'created' })]);
    expect(lifecycleCalls).toContain(`start:${ours.body.data[0].id}`);
  });

  it('never stores instance_token or client_token', async () => {
    const client = await zapiClient(t.app);
    const created = await zapiInstance(t.app, client, { instance_token: 'SECRET-INSTANCE-TOKEN', client_token: 'SECRET-CLIENT-TOKEN' });
    const rows: unknown[] = await t.db.dataSource.query(`SELECT row_to_json(i)::text AS row FROM instances i WHERE uuid = $1`, [created.uuid]);
    expect(JSON.stringify(rows)).not.toMatch(/SECRET-(INSTANCE|CLIENT)-TOKEN/);
  });

  it('refuses a duplicate tag of the same tenant with 409, but another tenant may use it', async () => {
    const a = await proClient();
    await zapiInstance(t.app, a, { tag: 'vendas' });
    const dup = await request(t.app).post('/api/instancias').set(a.headers).send({
      tag: 'vendas', descricao: 'x', instance_id: 'y', instance_token: 'z', client_token: 'w',
    });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ success: false, error: expect.objectContaining({ code: 'TAG_TAKEN' }) });
    const b = await zapiClient(t.app);
    await expect(zapiInstance(t.app, b, { tag: 'vendas' })).resolves.toMatchObject({ tag: 'vendas' });
  });

  it('respects the plan limit (starter: 1) with 403 PLAN_LIMIT_REACHED', async () => {
    const client = await zapiClient(t.app);
    await zapiInstance(t.app, client);
    const res = await request(t.app).post('/api/instancias').set(client.headers).send({
      tag: 'segunda', descricao: 'x', instance_id: 'y', instance_token: 'z', client_token: 'w',
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('PLAN_LIMIT_REACHED');
  });

  it('validates every required field (tokens included) and ignores unknown ones', async () => {
    const client = await zapiClient(t.app);
    const res = await request(t.app).post('/api/instancias').set(client.headers).send({ tag: '', extra: 1 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const paths = (res.body.error.details as { path: string }[]).map((d) => d.path).sort();
    expect(paths).toEqual(['client_token', 'descricao', 'instance_id', 'instance_token', 'tag']);
  });
});

describe('GET /api/instancias', () => {
  it('lists {id, tag, descricao} of the caller’s tenant only', async () => {
    const a = await proClient();
    const one = await zapiInstance(t.app, a, { tag: 'um', descricao: 'Primeira' });
    const two = await zapiInstance(t.app, a, { tag: 'dois', descricao: 'Segunda' });
    await zapiInstance(t.app, await zapiClient(t.app), { tag: 'outro' });
    const res = await request(t.app).get('/api/instancias').set(a.headers);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: [
        { id: one.id, tag: 'um', descricao: 'Primeira' },
        { id: two.id, tag: 'dois', descricao: 'Segunda' },
      ],
    });
  });
});

describe('GET and DELETE /api/instancias/{uuid}', () => {
  it('finds an instance by uuid or by numeric id', async () => {
    const client = await zapiClient(t.app);
    const created = await zapiInstance(t.app, client, { tag: 'ver' });
    const byUuid = await request(t.app).get(`/api/instancias/${created.uuid}`).set(client.headers);
    expect(byUuid.status).toBe(200);
    expect(byUuid.body).toEqual(created);
    const byUpperUuid = await request(t.app).get(`/api/instancias/${created.uuid.toUpperCase()}`).set(client.headers);
    expect(byUpperUuid.body).toEqual(created);
    const byId = await request(t.app).get(`/api/instancias/${created.id}`).set(client.headers);
    expect(byId.status).toBe(200);
    expect(byId.body).toEqual(created);
  });

  it('shows instances made through /whatsapp too (their name stands in for the tag)', async () => {
    const client = await zapiClient(t.app);
    const made = await request(t.app).post('/whatsapp/instances').set('Cookie', client.cookie).send({ name: 'Pelo painel' });
    const list = await request(t.app).get('/api/instancias').set(client.headers);
    expect(list.body.data).toEqual([{ id: expect.any(Number), tag: 'Pelo painel', descricao: null }]);
    const one = await request(t.app).get(`/api/instancias/${list.body.data[0].id}`).set(client.headers);
    expect(one.body).toMatchObject({ tag: 'Pelo painel', instance_id: null, sistema_id: client.systemId });
    expect(made.status).toBe(201);
  });

  it('deletes by uuid through InstancesService (the engine logs out first)', async () => {
    const client = await zapiClient(t.app);
    const created = await zapiInstance(t.app, client);
    const ours = await request(t.app).get('/whatsapp/instances').set('Cookie', client.cookie);
    const res = await request(t.app).delete(`/api/instancias/${created.uuid}`).set(client.headers);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, message: expect.any(String) });
    expect(lifecycleCalls).toContain(`logout:${ours.body.data[0].id}`);
    expect((await request(t.app).get(`/api/instancias/${created.uuid}`).set(client.headers)).status).toBe(404);
    expect((await request(t.app).get('/whatsapp/instances').set('Cookie', client.cookie)).body.data).toEqual([]);
  });

  it('deletes by numeric id', async () => {
    const client = await zapiClient(t.app);
    const created = await zapiInstance(t.app, client);
    expect((await request(t.app).delete(`/api/instancias/${created.id}`).set(client.headers)).status).toBe(200);
    expect((await request(t.app).get(`/api/instancias/${created.id}`).set(client.headers)).status).toBe(404);
  });

  it('answers 404 for another tenant’s instance, by uuid or id, and leaves it alone', async () => {
    const owner = await zapiClient(t.app);
    const other = await zapiClient(t.app);
    const created = await zapiInstance(t.app, owner);
    for (const ref of [created.uuid, String(created.id)]) {
      const get = await request(t.app).get(`/api/instancias/${ref}`).set(other.headers);
      expect(get.status).toBe(404);
      expect(get.body).toEqual({ success: false, error: expect.objectContaining({ code: 'NOT_FOUND' }) });
      expect((await request(t.app).delete(`/api/instancias/${ref}`).set(other.headers)).status).toBe(404);
    }
    expect((await request(t.app).get(`/api/instancias/${created.uuid}`).set(owner.headers)).status).toBe(200);
  });

  it.each(['not-a-uuid', '0', '99999999999', '1.5'])('refuses %s as an instance reference with 400', async (ref) => {
    const client = await zapiClient(t.app);
    const res = await request(t.app).get(`/api/instancias/${ref}`).set(client.headers);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ location: 'params', path: 'uuid' });
  });
});

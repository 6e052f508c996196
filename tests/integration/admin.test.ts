import request from 'supertest';
import { createTestApp, type TestApp } from '../support/app.js';
import { createInstance, login, signup } from '../support/factories.js';

let t: TestApp;
let admin: string;
const ADMIN_EMAIL = 'root@zap.example.com';
const ADMIN_PASSWORD = 'admin password 1';

beforeAll(async () => {
  t = await createTestApp();
  await t.services.admin.ensurePlatformAdmin(ADMIN_EMAIL, ADMIN_PASSWORD);
  admin = await login(t.app, ADMIN_EMAIL, ADMIN_PASSWORD);
});
afterAll(async () => {
  await t.close();
});

describe('platform admin bootstrap', () => {
  it('logs in as platform_admin', async () => {
    const me = await request(t.app).get('/auth/me').set('Cookie', admin);
    expect(me.body.data.user).toMatchObject({ email: ADMIN_EMAIL, role: 'platform_admin' });
  });

  it('running again updates the password instead of creating a second admin', async () => {
    await t.services.admin.ensurePlatformAdmin(ADMIN_EMAIL, 'a new password 2');
    expect((await request(t.app).post('/auth/sessions').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).status).toBe(401);
    await login(t.app, ADMIN_EMAIL, 'a new password 2');
    await t.services.admin.ensurePlatformAdmin(ADMIN_EMAIL, ADMIN_PASSWORD);
    const tenants = (await request(t.app).get('/admin/tenants').set('Cookie', admin)).body.data as { name: string }[];
    expect(tenants.filter((x) => x.name === 'Platform')).toHaveLength(1);
  });
});

describe('/admin', () => {
  it('is for platform admins only: 401 without login, 403 for tenant owners', async () => {
    const owner = await signup(t.app);
    expect((await request(t.app).get('/admin/tenants')).status).toBe(401);
    const res = await request(t.app).get('/admin/tenants').set('Cookie', owner.cookie);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    expect((await request(t.app).get('/admin/instances').set('Cookie', owner.cookie)).status).toBe(403);
    expect(
      (await request(t.app).patch(`/admin/tenants/${owner.tenantId}`).set('Cookie', owner.cookie).send({ plan: 'enterprise' })).status,
    ).toBe(403);
  });

  it('GET /admin/tenants lists every tenant with its plan and counts', async () => {
    const owner = await signup(t.app, { tenantName: 'Padaria do Zé' });
    await createInstance(t.app, owner.cookie);
    const res = await request(t.app).get('/admin/tenants').set('Cookie', admin);
    expect(res.status).toBe(200);
    const row = (res.body.data as { id: string }[]).find((x) => x.id === owner.tenantId);
    expect(row).toEqual({
      id: owner.tenantId,
      name: 'Padaria do Zé',
      plan: 'starter',
      instanceLimit: 1,
      instanceCount: 1,
      userCount: 1,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it('PATCH /admin/tenants/{id} changes the plan, and the new limit applies at once', async () => {
    const owner = await signup(t.app);
    await createInstance(t.app, owner.cookie);
    expect((await request(t.app).post('/whatsapp/instances').set('Cookie', owner.cookie).send({ name: 'Second' })).status).toBe(403);
    const res = await request(t.app).patch(`/admin/tenants/${owner.tenantId}`).set('Cookie', admin).send({ plan: 'pro' });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: owner.tenantId, plan: 'pro', instanceLimit: 5 });
    expect((await request(t.app).post('/whatsapp/instances').set('Cookie', owner.cookie).send({ name: 'Second' })).status).toBe(201);
    const me = await request(t.app).get('/auth/me').set('Cookie', owner.cookie);
    expect(me.body.data.tenant.plan).toBe('pro');
  });

  it('PATCH refuses bad plans, bad ids and unknown tenants', async () => {
    const owner = await signup(t.app);
    const badPlan = await request(t.app).patch(`/admin/tenants/${owner.tenantId}`).set('Cookie', admin).send({ plan: 'gold' });
    expect(badPlan.status).toBe(400);
    const extra = await request(t.app).patch(`/admin/tenants/${owner.tenantId}`).set('Cookie', admin).send({ plan: 'pro', name: 'x' });
    expect(extra.status).toBe(400);
    const badId = await request(t.app).patch('/admin/tenants/not-a-uuid').set('Cookie', admin).send({ plan: 'pro' });
    expect(badId.status).toBe(400);
    const unknown = await request(t.app)
      .patch('/admin/tenants/00000000-0000-4000-8000-000000000000')
      .set('Cookie', admin)
      .send({ plan: 'pro' });
    expect(unknown.status).toBe(404);
  });

  it('GET /admin/instances lists across tenants and filters by status', async () => {
    const a = await signup(t.app);
    const b = await signup(t.app);
    const ia = await createInstance(t.app, a.cookie);
    const ib = await createInstance(t.app, b.cookie);
    await t.services.repositories.instances.updateState(ib.instanceId, { status: 'connected', phone: '+5511999999999' });
    const all = await request(t.app).get('/admin/instances').set('Cookie', admin);
    expect(all.status).toBe(200);
    const ids = (all.body.data as { id: string }[]).map((i) => i.id);
    expect(ids).toEqual(expect.arrayContaining([ia.instanceId, ib.instanceId]));
    const connected = await request(t.app).get('/admin/instances?status=connected').set('Cookie', admin);
    expect(connected.body.data).toEqual([
      expect.objectContaining({ id: ib.instanceId, tenantId: b.tenantId, status: 'connected', phone: '+5511999999999' }),
    ]);
    const created = await request(t.app).get('/admin/instances?status=created').set('Cookie', admin);
    expect((created.body.data as { id: string }[]).map((i) => i.id)).toContain(ia.instanceId);
    expect((created.body.data as { id: string }[]).map((i) => i.id)).not.toContain(ib.instanceId);
    const bad = await request(t.app).get('/admin/instances?status=sleeping').set('Cookie', admin);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0]).toMatchObject({ location: 'query', path: 'status' });
  });
});

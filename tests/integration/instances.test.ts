import request from 'supertest';
import { createTestApp, type TestApp } from '../support/app.js';
import { createInstance, signup, type SignedUp } from '../support/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

/** A tenant on the pro plan, so several instances fit. */
async function proTenant(): Promise<SignedUp> {
  const who = await signup(t.app);
  await t.services.repositories.tenants.updatePlan(who.tenantId, 'pro');
  return who;
}

describe('POST /whatsapp/instances', () => {
  it('creates an instance with status created, as the seed shows', async () => {
    const who = await signup(t.app);
    const res = await request(t.app)
      .post('/whatsapp/instances')
      .set('Cookie', who.cookie)
      .send({ name: 'Nova Instância', webhookUrl: 'https://seu-webhook.com/whatsapp' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      data: {
        instanceId: expect.stringMatching(/^inst_[A-Za-z0-9_-]{12,}$/),
        instanceName: 'Nova Instância',
        status: 'created',
        integration: 'WHATSAPP-BAILEYS',
        webhookUrl: 'https://seu-webhook.com/whatsapp',
        webhookSecret: expect.stringMatching(/^whsec_/),
      },
    });
  });

  it('makes ids that differ every time', async () => {
    const who = await proTenant();
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await createInstance(t.app, who.cookie)).instanceId);
    expect(ids.size).toBe(5);
  });

  it('webhookUrl is optional', async () => {
    const who = await signup(t.app);
    const res = await request(t.app).post('/whatsapp/instances').set('Cookie', who.cookie).send({ name: 'Sem webhook' });
    expect(res.status).toBe(201);
    expect(res.body.data.webhookUrl).toBeNull();
  });

  it.each([
    [{ name: 'ab' }, 'name'],
    [{ name: 'x'.repeat(51) }, 'name'],
    [{}, 'name'],
    [{ name: 'Valid name', webhookUrl: 'ftp://example.com' }, 'webhookUrl'],
    [{ name: 'Valid name', webhookUrl: 'not a url' }, 'webhookUrl'],
    [{ name: 123 }, 'name'],
  ])('refuses %j with 400 on %s', async (body, field) => {
    const who = await signup(t.app);
    const res = await request(t.app).post('/whatsapp/instances').set('Cookie', who.cookie).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ location: 'body', path: field })]));
  });

  it('refuses unknown fields', async () => {
    const who = await signup(t.app);
    const res = await request(t.app)
      .post('/whatsapp/instances')
      .set('Cookie', who.cookie)
      .send({ name: 'Valid name', status: 'connected' });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].message).toBe('Unknown field(s): status');
  });

  it('requires authentication', async () => {
    const res = await request(t.app).post('/whatsapp/instances').send({ name: 'Valid name' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ success: false, error: { code: 'UNAUTHORIZED', message: 'Authentication required' } });
  });
});

describe('GET /whatsapp/instances', () => {
  it("lists the caller's instances only, in the seed's shape", async () => {
    const who = await proTenant();
    const other = await signup(t.app);
    await createInstance(t.app, other.cookie, { name: 'Not mine' });
    const a = await createInstance(t.app, who.cookie, { name: 'Atendimento Principal', webhookUrl: 'https://seu-webhook.com' });
    const b = await createInstance(t.app, who.cookie, { name: 'Vendas' });
    const res = await request(t.app).get('/whatsapp/instances').set('Cookie', who.cookie);
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.data).toEqual([
      {
        id: a.instanceId,
        name: 'Atendimento Principal',
        phone: null,
        status: 'created',
        webhookUrl: 'https://seu-webhook.com',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        active: true,
      },
      expect.objectContaining({ id: b.instanceId, name: 'Vendas', webhookUrl: null }),
    ]);
  });

  it('is empty for a new tenant', async () => {
    const who = await signup(t.app);
    const res = await request(t.app).get('/whatsapp/instances').set('Cookie', who.cookie);
    expect(res.body).toEqual({ success: true, data: [] });
  });
});

describe('GET /whatsapp/instances/{id}', () => {
  it('returns the detail', async () => {
    const who = await signup(t.app);
    const created = await createInstance(t.app, who.cookie, { name: 'Atendimento', webhookUrl: 'https://hook.example.com/a' });
    const res = await request(t.app).get(`/whatsapp/instances/${created.instanceId}`).set('Cookie', who.cookie);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: {
        id: created.instanceId,
        name: 'Atendimento',
        phone: null,
        status: 'created',
        statusReason: null,
        integration: 'WHATSAPP-BAILEYS',
        webhookUrl: 'https://hook.example.com/a',
        profilePicUrl: null,
        active: true,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        webhookEvents: null,
        webhookSecret: expect.stringMatching(/^whsec_/),
      },
    });
  });

  it('another tenant\'s instance is a 404, the same as one that does not exist', async () => {
    const owner = await signup(t.app);
    const stranger = await signup(t.app);
    const { instanceId } = await createInstance(t.app, owner.cookie);
    const foreign = await request(t.app).get(`/whatsapp/instances/${instanceId}`).set('Cookie', stranger.cookie);
    const missing = await request(t.app).get('/whatsapp/instances/inst_doesnotexist00').set('Cookie', stranger.cookie);
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(foreign.body).toEqual(missing.body);
    expect(foreign.body.error.code).toBe('NOT_FOUND');
  });

  it('a malformed id is a 400', async () => {
    const who = await signup(t.app);
    const res = await request(t.app).get('/whatsapp/instances/not-an-id').set('Cookie', who.cookie);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details[0]).toMatchObject({ location: 'params', path: 'instanceId' });
  });
});

describe('PUT /whatsapp/instances/{id}', () => {
  it('renames and changes the webhook', async () => {
    const who = await signup(t.app);
    const { instanceId } = await createInstance(t.app, who.cookie, { name: 'Old name', webhookUrl: 'https://old.example.com' });
    const res = await request(t.app)
      .put(`/whatsapp/instances/${instanceId}`)
      .set('Cookie', who.cookie)
      .send({ name: 'Novo Nome', webhookUrl: 'https://novo-webhook.com' });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: instanceId, name: 'Novo Nome', webhookUrl: 'https://novo-webhook.com' });
    const after = await request(t.app).get(`/whatsapp/instances/${instanceId}`).set('Cookie', who.cookie);
    expect(after.body.data).toMatchObject({ name: 'Novo Nome', webhookUrl: 'https://novo-webhook.com' });
  });

  it('changes only what is given; null clears the webhook', async () => {
    const who = await signup(t.app);
    const { instanceId } = await createInstance(t.app, who.cookie, { name: 'Keep me', webhookUrl: 'https://old.example.com' });
    const res = await request(t.app).put(`/whatsapp/instances/${instanceId}`).set('Cookie', who.cookie).send({ webhookUrl: null });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ name: 'Keep me', webhookUrl: null });
  });

  it('refuses an empty or invalid body with 400', async () => {
    const who = await signup(t.app);
    const { instanceId } = await createInstance(t.app, who.cookie);
    const empty = await request(t.app).put(`/whatsapp/instances/${instanceId}`).set('Cookie', who.cookie).send({});
    expect(empty.status).toBe(400);
    const short = await request(t.app).put(`/whatsapp/instances/${instanceId}`).set('Cookie', who.cookie).send({ name: 'x' });
    expect(short.status).toBe(400);
    const unknown = await request(t.app).put(`/whatsapp/instances/${instanceId}`).set('Cookie', who.cookie).send({ phone: '+1' });
    expect(unknown.status).toBe(400);
  });

  it("cannot touch another tenant's instance (404)", async () => {
    const owner = await signup(t.app);
    const stranger = await signup(t.app);
    const { instanceId } = await createInstance(t.app, owner.cookie, { name: 'Original' });
    const res = await request(t.app).put(`/whatsapp/instances/${instanceId}`).set('Cookie', stranger.cookie).send({ name: 'Hijacked' });
    expect(res.status).toBe(404);
    const still = await request(t.app).get(`/whatsapp/instances/${instanceId}`).set('Cookie', owner.cookie);
    expect(still.body.data.name).toBe('Original');
  });
});

describe('DELETE /whatsapp/instances/{id}', () => {
  it('removes the instance', async () => {
    const who = await signup(t.app);
    const { instanceId } = await createInstance(t.app, who.cookie);
    const res = await request(t.app).delete(`/whatsapp/instances/${instanceId}`).set('Cookie', who.cookie);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, message: 'Instance deleted successfully' });
    expect((await request(t.app).get(`/whatsapp/instances/${instanceId}`).set('Cookie', who.cookie)).status).toBe(404);
    expect((await request(t.app).delete(`/whatsapp/instances/${instanceId}`).set('Cookie', who.cookie)).status).toBe(404);
  });

  it("cannot delete another tenant's instance (404)", async () => {
    const owner = await signup(t.app);
    const stranger = await signup(t.app);
    const { instanceId } = await createInstance(t.app, owner.cookie);
    expect((await request(t.app).delete(`/whatsapp/instances/${instanceId}`).set('Cookie', stranger.cookie)).status).toBe(404);
    expect((await request(t.app).get(`/whatsapp/instances/${instanceId}`).set('Cookie', owner.cookie)).status).toBe(200);
  });

  it('frees the plan slot', async () => {
    const who = await signup(t.app);
    const { instanceId } = await createInstance(t.app, who.cookie);
    await request(t.app).delete(`/whatsapp/instances/${instanceId}`).set('Cookie', who.cookie).expect(200);
    await createInstance(t.app, who.cookie);
  });
});

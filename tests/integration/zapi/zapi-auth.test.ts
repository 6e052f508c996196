import request from 'supertest';
import { createTestApp, type TestApp } from '../../support/app.js';
import { createApiKey, signup } from '../../support/factories.js';
import { zapiClient } from './zapi-fixtures.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const errorShape = (code: string) => ({ success: false, error: expect.objectContaining({ code, message: expect.any(String) }) });

describe('GET /auth/me', () => {
  it('shows the tenant’s numeric systemId, different for each tenant', async () => {
    const a = await signup(t.app);
    const b = await signup(t.app);
    const [ma, mb] = await Promise.all([
      request(t.app).get('/auth/me').set('Cookie', a.cookie),
      request(t.app).get('/auth/me').set('Cookie', b.cookie),
    ]);
    expect(Number.isInteger(ma.body.data.tenant.systemId)).toBe(true);
    expect(ma.body.data.tenant.systemId).toBeGreaterThan(0);
    expect(mb.body.data.tenant.systemId).not.toBe(ma.body.data.tenant.systemId);
  });
});

describe('POST /api/auth/token', () => {
  it('trades an API key and X-Sistema-ID for a token, as v1.0.4 shows', async () => {
    const who = await signup(t.app);
    const systemId = (await request(t.app).get('/auth/me').set('Cookie', who.cookie)).body.data.tenant.systemId;
    const apiKey = await createApiKey(t.app, who.cookie);
    const before = Date.now();
    const res = await request(t.app).post('/api/auth/token').set('X-Sistema-ID', String(systemId)).send({ chave_api: apiKey });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      token: expect.stringMatching(new RegExp(`^${systemId}\\|[\\w-]+\\.[\\w-]+\\.[\\w-]+$`)),
      sistema_id: systemId,
      expires_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
    });
    const expires = Date.parse(`${res.body.expires_at.replace(' ', 'T')}Z`);
    expect(expires).toBeGreaterThan(before + 3600_000);
  });

  it('refuses an unknown key with 401', async () => {
    const { systemId } = await zapiClient(t.app);
    const res = await request(t.app)
      .post('/api/auth/token')
      .set('X-Sistema-ID', String(systemId))
      .send({ chave_api: 'zk_thisIsNotAKeyThatExists0000000000000000000' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(errorShape('INVALID_API_KEY'));
  });

  it('refuses a revoked key with 401', async () => {
    const client = await zapiClient(t.app);
    const keys = await request(t.app).get('/auth/api-keys').set('Cookie', client.cookie);
    await request(t.app).delete(`/auth/api-keys/${keys.body.data[0].id}`).set('Cookie', client.cookie);
    const res = await request(t.app).post('/api/auth/token').set('X-Sistema-ID', String(client.systemId)).send({ chave_api: client.apiKey });
    expect(res.status).toBe(401);
  });

  it('refuses another tenant’s system id with 403', async () => {
    const a = await zapiClient(t.app);
    const b = await zapiClient(t.app);
    const res = await request(t.app).post('/api/auth/token').set('X-Sistema-ID', String(b.systemId)).send({ chave_api: a.apiKey });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(errorShape('SYSTEM_ID_MISMATCH'));
  });

  it('requires the X-Sistema-ID header (401) and a numeric value', async () => {
    const a = await zapiClient(t.app);
    const missing = await request(t.app).post('/api/auth/token').send({ chave_api: a.apiKey });
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual(errorShape('SYSTEM_ID_REQUIRED'));
    const wrong = await request(t.app).post('/api/auth/token').set('X-Sistema-ID', 'abc').send({ chave_api: a.apiKey });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual(errorShape('INVALID_SYSTEM_ID'));
  });

  it('validates the body in our error shape', async () => {
    const a = await zapiClient(t.app);
    const res = await request(t.app).post('/api/auth/token').set('X-Sistema-ID', String(a.systemId)).send({});
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toEqual([expect.objectContaining({ location: 'body', path: 'chave_api' })]);
  });
});

describe('the token on /api routes', () => {
  it('works as Bearer together with X-Sistema-ID', async () => {
    const client = await zapiClient(t.app);
    const res = await request(t.app).get('/api/instancias').set(client.headers);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: [] });
  });

  it('is refused without X-Sistema-ID (401) or with another tenant’s (403)', async () => {
    const a = await zapiClient(t.app);
    const b = await zapiClient(t.app);
    const none = await request(t.app).get('/api/instancias').set('Authorization', `Bearer ${a.token}`);
    expect(none.status).toBe(401);
    expect(none.body).toEqual(errorShape('SYSTEM_ID_REQUIRED'));
    const other = await request(t.app).get('/api/instancias').set({ ...a.headers, 'X-Sistema-ID': String(b.systemId) });
    expect(other.status).toBe(403);
    expect(other.body).toEqual(errorShape('SYSTEM_ID_MISMATCH'));
  });

  it('is refused when missing, tampered with, or its API key was revoked', async () => {
    const a = await zapiClient(t.app);
    const missing = await request(t.app).get('/api/instancias').set('X-Sistema-ID', String(a.systemId));
    expect(missing.status).toBe(401);
    const tampered = await request(t.app)
      .get('/api/instancias')
      .set({ ...a.headers, Authorization: `Bearer ${a.token.slice(0, -3)}abc` });
    expect(tampered.status).toBe(401);
    expect(tampered.body).toEqual(errorShape('INVALID_TOKEN'));
    const keys = await request(t.app).get('/auth/api-keys').set('Cookie', a.cookie);
    await request(t.app).delete(`/auth/api-keys/${keys.body.data[0].id}`).set('Cookie', a.cookie);
    const revoked = await request(t.app).get('/api/instancias').set(a.headers);
    expect(revoked.status).toBe(401);
    expect(revoked.body).toEqual(errorShape('INVALID_TOKEN'));
  });

  it('does not work outside /api (it is not a session token)', async () => {
    const a = await zapiClient(t.app);
    const res = await request(t.app).get('/auth/me').set('Authorization', `Bearer ${a.token}`);
    expect(res.status).toBe(401);
  });

  it('our own API key also works on /api, with X-Sistema-ID', async () => {
    const a = await zapiClient(t.app);
    const ok = await request(t.app).get('/api/instancias').set({ 'X-Api-Key': a.apiKey, 'X-Sistema-ID': String(a.systemId) });
    expect(ok.status).toBe(200);
    const b = await zapiClient(t.app);
    const mismatch = await request(t.app).get('/api/instancias').set({ Authorization: `Bearer ${a.apiKey}`, 'X-Sistema-ID': String(b.systemId) });
    expect(mismatch.status).toBe(403);
  });
});

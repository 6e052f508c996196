import request from 'supertest';
import { createTestApp, type TestApp } from '../support/app.js';
import { createApiKey, createInstance, signup } from '../support/factories.js';
import { ApiKeyService } from '../../src/services/api-key-service.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('API keys', () => {
  it('POST /auth/api-keys shows the key once; it is stored hashed', async () => {
    const who = await signup(t.app);
    const res = await request(t.app).post('/auth/api-keys').set('Cookie', who.cookie).send({ name: 'CRM integration' });
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({
      id: expect.any(String),
      name: 'CRM integration',
      prefix: res.body.data.key.slice(0, 10),
      key: expect.stringMatching(/^zk_[A-Za-z0-9_-]{43}$/),
      createdAt: expect.any(String),
      lastUsedAt: null,
    });
    const stored = await t.services.repositories.apiKeys.listByTenant(who.tenantId);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(res.body.data.key);
  });

  it('GET /auth/api-keys lists keys without the secret', async () => {
    const who = await signup(t.app);
    const key = await createApiKey(t.app, who.cookie, 'first');
    await createApiKey(t.app, who.cookie, 'second');
    const res = await request(t.app).get('/auth/api-keys').set('Cookie', who.cookie);
    expect(res.status).toBe(200);
    expect(res.body.data.map((k: { name: string }) => k.name)).toEqual(['first', 'second']);
    expect(JSON.stringify(res.body)).not.toContain(key);
    expect(res.body.data[0]).not.toHaveProperty('key');
    expect(res.body.data[0]).not.toHaveProperty('keyHash');
  });

  it.each([
    ['Authorization: Bearer', (key: string) => ({ Authorization: `Bearer ${key}` })],
    ['X-Api-Key', (key: string) => ({ 'X-Api-Key': key })],
  ])('authenticates every API route with %s', async (_style, headers) => {
    const who = await signup(t.app);
    const key = await createApiKey(t.app, who.cookie);
    const me = await request(t.app).get('/auth/me').set(headers(key));
    expect(me.status).toBe(200);
    expect(me.body.data).toMatchObject({ user: { id: who.userId }, tenant: { id: who.tenantId }, method: 'api_key' });
    const created = await request(t.app).post('/whatsapp/instances').set(headers(key)).send({ name: 'Via API key' });
    expect(created.status).toBe(201);
    const list = await request(t.app).get('/whatsapp/instances').set(headers(key));
    expect(list.body.data).toHaveLength(1);
    const viaCookie = await request(t.app).get('/whatsapp/instances').set('Cookie', who.cookie);
    expect(viaCookie.body.data[0].id).toBe(created.body.data.instanceId);
  });

  it('an API key only sees its own tenant', async () => {
    const owner = await signup(t.app);
    const stranger = await signup(t.app);
    const { instanceId } = await createInstance(t.app, owner.cookie);
    const key = await createApiKey(t.app, stranger.cookie);
    expect((await request(t.app).get(`/whatsapp/instances/${instanceId}`).set('X-Api-Key', key)).status).toBe(404);
  });

  it('records when a key was last used', async () => {
    const who = await signup(t.app);
    const key = await createApiKey(t.app, who.cookie);
    await request(t.app).get('/auth/me').set('X-Api-Key', key).expect(200);
    await new Promise((r) => setTimeout(r, 100));
    const res = await request(t.app).get('/auth/api-keys').set('Cookie', who.cookie);
    expect(res.body.data[0].lastUsedAt).toEqual(expect.any(String));
  });

  it('writes lastUsedAt at most once a minute per key while the key is in use', async () => {
    const who = await signup(t.app);
    const key = await createApiKey(t.app, who.cookie);
    const repository = t.services.repositories.apiKeys;
    let now = Date.parse('2026-12-06T10:00:00Z');
    const service = new ApiKeyService(repository, { now: () => now });
    const lastUsed = async () => (await repository.listByTenant(who.tenantId))[0]?.lastUsedAt?.getTime() ?? null;
    const settled = async (expected: number) => {
      for (let i = 0; i < 100 && (await lastUsed()) !== expected; i++) await new Promise((r) => setTimeout(r, 20));
      return lastUsed();
    };
    expect(await service.resolve(key)).toMatchObject({ tenantId: who.tenantId, userId: who.userId, role: 'owner', method: 'api_key' });
    const first = now;
    expect(await settled(first)).toBe(first);
    now += 59_000;
    expect(await service.resolve(key)).not.toBeNull();
    await new Promise((r) => setTimeout(r, 150));
    expect(await lastUsed()).toBe(first);
    now += 1_000;
    expect(await service.resolve(key)).not.toBeNull();
    expect(await settled(now)).toBe(now);
  });

  it('DELETE /auth/api-keys/{id} revokes the key at once', async () => {
    const who = await signup(t.app);
    const key = await createApiKey(t.app, who.cookie);
    const [listed] = (await request(t.app).get('/auth/api-keys').set('Cookie', who.cookie)).body.data;
    const res = await request(t.app).delete(`/auth/api-keys/${listed.id}`).set('X-Api-Key', key);
    expect(res.status).toBe(200);
    const after = await request(t.app).get('/auth/me').set('X-Api-Key', key);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('INVALID_TOKEN');
    expect((await request(t.app).get('/auth/api-keys').set('Cookie', who.cookie)).body.data).toEqual([]);
  });

  it("cannot revoke another tenant's key, nor a malformed id", async () => {
    const owner = await signup(t.app);
    const stranger = await signup(t.app);
    const key = await createApiKey(t.app, owner.cookie);
    const [listed] = (await request(t.app).get('/auth/api-keys').set('Cookie', owner.cookie)).body.data;
    expect((await request(t.app).delete(`/auth/api-keys/${listed.id}`).set('Cookie', stranger.cookie)).status).toBe(404);
    expect((await request(t.app).get('/auth/me').set('X-Api-Key', key)).status).toBe(200);
    const bad = await request(t.app).delete('/auth/api-keys/12345').set('Cookie', owner.cookie);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('refuses unknown keys and a bad name', async () => {
    const who = await signup(t.app);
    expect((await request(t.app).get('/auth/me').set('X-Api-Key', 'zk_not-a-real-key')).status).toBe(401);
    expect((await request(t.app).get('/auth/me').set('Authorization', 'Bearer zk_not-a-real-key')).status).toBe(401);
    const noName = await request(t.app).post('/auth/api-keys').set('Cookie', who.cookie).send({ name: '' });
    expect(noName.status).toBe(400);
  });
});

import request from 'supertest';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('health and readiness', () => {
  it('GET /health answers while the process is up', async () => {
    const res = await request(t.app).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { status: 'ok', uptimeSeconds: expect.any(Number) } });
  });

  it('GET /ready pings Postgres and Redis', async () => {
    const res = await request(t.app).get('/ready');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('echoes a well-formed X-Request-Id and makes one otherwise', async () => {
    const given = await request(t.app).get('/health').set('X-Request-Id', 'abc-123');
    expect(given.headers['x-request-id']).toBe('abc-123');
    const bad = await request(t.app).get('/health').set('X-Request-Id', 'no spaces <allowed>');
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("tells the server's share of each response's time in Server-Timing, errors included", async () => {
    const pattern = /^app;dur=\d+\.\d$/;
    const ok = await request(t.app).get('/health');
    expect(ok.headers['server-timing']).toMatch(pattern);
    const missing = await request(t.app).get('/no/such/route');
    expect(missing.status).toBe(404);
    expect(missing.headers['server-timing']).toMatch(pattern);
    const badJson = await request(t.app).post('/auth/sessions').set('Content-Type', 'application/json').send('{"broken');
    expect(badJson.status).toBe(400);
    expect(badJson.headers['server-timing']).toMatch(pattern);
  });

  it('serves the OpenAPI 3.1 document and Swagger UI', async () => {
    const doc = await request(t.app).get('/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/auth/signup',
        '/auth/sessions',
        '/auth/me',
        '/auth/api-keys',
        '/auth/api-keys/{id}',
        '/whatsapp/instances',
        '/whatsapp/instances/{instanceId}',
        '/admin/tenants',
        '/admin/tenants/{id}',
        '/admin/instances',
      ]),
    );
    const create = doc.body.paths['/whatsapp/instances'].post;
    expect(create.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CreateInstanceBody' });
    expect(doc.body.components.schemas.CreateInstanceBody.properties.name).toMatchObject({ minLength: 3, maxLength: 50 });
    const ui = await request(t.app).get('/docs/');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger-ui');
  });
});

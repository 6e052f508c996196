import { Router } from 'express';
import request from 'supertest';
import { createApp } from '../../src/app.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { signup, type SignedUp } from '../support/factories.js';

let t: TestApp;
let who: SignedUp;
beforeAll(async () => {
  t = await createTestApp({ env: { BODY_LIMIT: '2kb' } });
  who = await signup(t.app);
});
afterAll(async () => {
  await t.close();
});

const errorShape = (code: string) => ({ success: false, error: expect.objectContaining({ code, message: expect.any(String) }) });

describe('one error shape everywhere', () => {
  it('malformed JSON is 400 MALFORMED_JSON', async () => {
    const res = await request(t.app)
      .post('/whatsapp/instances')
      .set('Cookie', who.cookie)
      .set('Content-Type', 'application/json')
      .send('{"name": "unterminated');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ success: false, error: { code: 'MALFORMED_JSON', message: 'Request body is not valid JSON' } });
  });

  it('a non-JSON content type is 415', async () => {
    const form = await request(t.app).post('/auth/sessions').type('form').send('email=a@b.co&password=x');
    expect(form.status).toBe(415);
    expect(form.body).toEqual(errorShape('UNSUPPORTED_MEDIA_TYPE'));
    const text = await request(t.app).post('/auth/signup').set('Content-Type', 'text/plain').send('hello');
    expect(text.status).toBe(415);
  });

  it('a JSON body that is not an object is 400', async () => {
    const res = await request(t.app).post('/auth/sessions').set('Content-Type', 'application/json').send('[1,2]');
    expect(res.status).toBe(400);
    const scalar = await request(t.app).post('/auth/sessions').set('Content-Type', 'application/json').send('"x"');
    expect(scalar.status).toBe(400);
  });

  it('a missing body is 400 VALIDATION_FAILED', async () => {
    const res = await request(t.app).post('/auth/sessions');
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorShape('VALIDATION_FAILED'));
  });

  it('unknown fields are 400 with the field named', async () => {
    const res = await request(t.app).post('/auth/sessions').send({ email: who.email, password: who.password, admin: true });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'Invalid request body',
      details: [{ location: 'body', path: '', message: 'Unknown field(s): admin', code: 'unrecognized_keys' }],
    });
  });

  it('an oversize body is 413', async () => {
    const res = await request(t.app)
      .post('/whatsapp/instances')
      .set('Cookie', who.cookie)
      .send({ name: 'Big', webhookUrl: `https://example.com/${'a'.repeat(4000)}` });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ success: false, error: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' } });
  });

  it('bad ids: malformed is 400, well-formed but unknown is 404', async () => {
    const bad = await request(t.app).delete('/whatsapp/instances/inst_!!').set('Cookie', who.cookie);
    expect(bad.status).toBe(400);
    const unknown = await request(t.app).delete('/whatsapp/instances/inst_AAAAAAAAAAAAAAAA').set('Cookie', who.cookie);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual(errorShape('NOT_FOUND'));
  });

  it('unknown routes are 404 in the same shape', async () => {
    const res = await request(t.app).get('/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: false, error: { code: 'ROUTE_NOT_FOUND', message: 'Route GET /nope not found' } });
    const method = await request(t.app).patch('/health').send({});
    expect(method.status).toBe(404);
  });

  it('every response carries X-Request-Id, errors included', async () => {
    const res = await request(t.app).get('/nope');
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('an unexpected error is a 500 with the request id and nothing internal', async () => {
    const boom = Router();
    boom.get('/boom', () => {
      throw new Error('connection string postgres://secret@db leaked?');
    });
    const app = createApp({ config: t.config, logger: t.logger, services: t.services, extraRouters: [boom] });
    const res = await request(app).get('/boom').set('X-Request-Id', 'req-500-check');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      success: false,
      error: { code: 'INTERNAL_ERROR', message: 'Internal server error', requestId: 'req-500-check' },
    });
    expect(res.text).not.toContain('secret');
    expect(res.text).not.toContain('stack');
  });

  it('/ready is a 503 in the error shape when a dependency is down', async () => {
    const { ReadinessService } = await import('../../src/services/readiness-service.js');
    const readiness = new ReadinessService({ postgres: async () => undefined, redis: () => Promise.reject(new Error('down')) });
    const app = createApp({ config: t.config, logger: t.logger, services: { ...t.services, readiness } });
    const res = await request(app).get('/ready');
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', details: { down: ['redis'] } });
  });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { createTestApp, type TestApp } from '../../support/app.js';
import { createInstance, signup, uniqueEmail } from '../../support/factories.js';

/** Issue 16 item 5: odd bytes are a 400 in the standard shape, never a 500, and nothing is stored. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const countRows = async (table: string): Promise<number> =>
  Number(((await t.db.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`)) as { n: number }[])[0]?.n);

function expectBadRequest(res: request.Response, code = 'VALIDATION_FAILED'): void {
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ success: false, error: { code, message: expect.any(String) } });
}

describe('NUL bytes and lone surrogates', () => {
  it('signup with a NUL in tenantName is a 400 and creates no tenant or user', async () => {
    const [tenants, users] = [await countRows('tenants'), await countRows('users')];
    const res = await request(t.app)
      .post('/auth/signup')
      .send({ email: uniqueEmail(), password: 'correct horse battery', tenantName: 'Acme\u0000Ltda' });
    expectBadRequest(res);
    expect(res.body.error.details).toEqual([expect.objectContaining({ location: 'body', path: 'tenantName', code: 'invalid_text' })]);
    expect(await countRows('tenants')).toBe(tenants);
    expect(await countRows('users')).toBe(users);
  });

  it('an instance name with a NUL or a lone surrogate is a 400 and stores nothing', async () => {
    const owner = await signup(t.app);
    const before = await countRows('instances');
    for (const name of ['bad\u0000name', 'bad \uD83D name', 'bad \uDE00 name']) {
      const res = await request(t.app).post('/whatsapp/instances').set('Cookie', owner.cookie).send({ name });
      expectBadRequest(res);
    }
    expect(await countRows('instances')).toBe(before);
  });

  it('a NUL in an update, a path parameter and an API key name is a 400', async () => {
    const owner = await signup(t.app);
    const { instanceId } = await createInstance(t.app, owner.cookie);
    expectBadRequest(await request(t.app).put(`/whatsapp/instances/${instanceId}`).set('Cookie', owner.cookie).send({ name: 'x\u0000' }));
    expectBadRequest(await request(t.app).get('/whatsapp/instances/inst%00').set('Cookie', owner.cookie));
    expectBadRequest(await request(t.app).post('/auth/api-keys').set('Cookie', owner.cookie).send({ name: '\u0000' }));
    expectBadRequest(await request(t.app).post('/api/auth/token').send({ chave_api: 'zk_\u0000' }));
  });

  it('a NUL in a field name is refused too', async () => {
    const owner = await signup(t.app);
    expectBadRequest(await request(t.app).post('/whatsapp/instances').set('Cookie', owner.cookie).send({ 'na\u0000me': 'x' }));
  });

  it('a well-formed emoji (a surrogate pair) is fine', async () => {
    const owner = await signup(t.app);
    const res = await request(t.app).post('/whatsapp/instances').set('Cookie', owner.cookie).send({ name: 'Loja 😀' });
    expect(res.status).toBe(201);
    expect(res.body.data.instanceName).toBe('Loja 😀');
  });
});

describe('malformed requests', () => {
  it('invalid percent-encoding in a path is a 400 BAD_REQUEST', async () => {
    const owner = await signup(t.app);
    for (const path of ['/whatsapp/instances/%E0%A4%A', '/whatsapp/instances/%zz', '/whatsapp/instances/%']) {
      const res = await request(t.app).get(path).set('Cookie', owner.cookie);
      expectBadRequest(res, 'BAD_REQUEST');
    }
  });

  it('Content-Encoding: gzip with a body that is not gzip is a 400', async () => {
    const owner = await signup(t.app);
    const res = await request(t.app)
      .post('/whatsapp/instances')
      .set('Cookie', owner.cookie)
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .send('{"name":"not gzip at all"}');
    expectBadRequest(res, 'BAD_REQUEST');
  });

  it('a real gzip body still works', async () => {
    const owner = await signup(t.app);
    const server = createServer(t.app).listen(0);
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/whatsapp/instances`, {
        method: 'POST',
        headers: { cookie: owner.cookie, 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: gzipSync(Buffer.from(JSON.stringify({ name: 'Zipped' }))),
      });
      expect(res.status).toBe(201);
    } finally {
      server.close();
    }
  });
});

import request from 'supertest';
import { createTestApp, type TestApp } from '../support/app.js';
import { DEFAULT_PASSWORD, login, sessionCookie, signup, uniqueEmail } from '../support/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { LOGIN_MAX_FAILURES_PER_EMAIL: '3', LOGIN_MAX_FAILURES_PER_IP: '50' } });
});
afterAll(async () => {
  await t.close();
});

describe('POST /auth/signup', () => {
  it('creates a starter tenant with its owner and logs in with the cookie', async () => {
    const email = uniqueEmail('Owner').toUpperCase();
    const res = await request(t.app).post('/auth/signup').send({ email, password: DEFAULT_PASSWORD, tenantName: 'Loja Azul' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      data: {
        user: { id: expect.any(String), email: email.toLowerCase(), role: 'owner' },
        tenant: { id: expect.any(String), name: 'Loja Azul', plan: 'starter' },
        expiresAt: expect.any(String),
      },
    });
    const setCookie = (res.headers['set-cookie'] as unknown as string[])[0] ?? '';
    expect(setCookie).toMatch(/^auth-session=[\w-]+\.[\w-]+\.[\w-]+;/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toContain('Secure');
    const me = await request(t.app).get('/auth/me').set('Cookie', sessionCookie(res));
    expect(me.status).toBe(200);
    expect(me.body.data.user.email).toBe(email.toLowerCase());
  });

  it('stores a scrypt hash, never the password', async () => {
    const who = await signup(t.app);
    const user = await t.services.repositories.users.findById(who.userId);
    expect(user?.passwordHash).toMatch(/^scrypt\$/);
    expect(user?.passwordHash).not.toContain(who.password);
  });

  it('refuses an email that already has an account with 409', async () => {
    const who = await signup(t.app);
    const res = await request(t.app)
      .post('/auth/signup')
      .send({ email: who.email.toUpperCase(), password: DEFAULT_PASSWORD, tenantName: 'Other' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('EMAIL_TAKEN');
  });

  it('validates the body', async () => {
    const res = await request(t.app).post('/auth/signup').send({ email: 'not-an-email', password: 'short', tenantName: '' });
    expect(res.status).toBe(400);
    expect(res.body.success).toBe(false);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const paths = (res.body.error.details as { path: string }[]).map((d) => d.path).sort();
    expect(paths).toEqual(['email', 'password', 'tenantName']);
  });
});

describe('cookie sessions', () => {
  it('POST /auth/sessions logs in: cookie plus user, tenant and expiry', async () => {
    const who = await signup(t.app);
    const res = await request(t.app).post('/auth/sessions').send({ email: who.email, password: who.password });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      user: { id: who.userId, email: who.email, role: 'owner' },
      tenant: { id: who.tenantId, name: 'Acme Ltda', plan: 'starter' },
      expiresAt: expect.any(String),
    });
    expect(new Date(res.body.data.expiresAt).getTime()).toBeGreaterThan(Date.now() + 3600_000);
    expect(sessionCookie(res)).toMatch(/^auth-session=/);
  });

  it('GET /auth/me tells who is logged in', async () => {
    const who = await signup(t.app);
    const res = await request(t.app).get('/auth/me').set('Cookie', who.cookie);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      user: { id: who.userId, email: who.email, role: 'owner' },
      tenant: { id: who.tenantId, name: 'Acme Ltda', plan: 'starter', systemId: expect.any(Number) },
      method: 'session',
    });
  });

  it('DELETE /auth/sessions revokes the token at once, cookie or Bearer', async () => {
    const who = await signup(t.app);
    const other = await login(t.app, who.email, who.password);
    const out = await request(t.app).delete('/auth/sessions').set('Cookie', who.cookie);
    expect(out.status).toBe(200);
    expect(((out.headers['set-cookie'] as unknown as string[])[0] ?? '')).toMatch(/^auth-session=;.*Expires=Thu, 01 Jan 1970/);
    const viaCookie = await request(t.app).get('/auth/me').set('Cookie', who.cookie);
    expect(viaCookie.status).toBe(401);
    expect(viaCookie.body.error.code).toBe('INVALID_TOKEN');
    const viaBearer = await request(t.app).get('/auth/me').set('Authorization', `Bearer ${who.token}`);
    expect(viaBearer.status).toBe(401);
    // Another session of the same user is untouched.
    expect((await request(t.app).get('/auth/me').set('Cookie', other)).status).toBe(200);
  });

  it('accepts the session JWT as a Bearer token', async () => {
    const who = await signup(t.app);
    const res = await request(t.app).get('/auth/me').set('Authorization', `Bearer ${who.token}`);
    expect(res.status).toBe(200);
    expect(res.body.data.user.id).toBe(who.userId);
  });

  it('rejects missing, tampered and foreign-key tokens with 401', async () => {
    const who = await signup(t.app);
    expect((await request(t.app).get('/auth/me')).body.error.code).toBe('UNAUTHORIZED');
    const [h, p, s] = who.token.split('.');
    const tampered = `${h}.${p}.${(s ?? '').slice(0, -2)}xx`;
    const res = await request(t.app).get('/auth/me').set('Cookie', `auth-session=${tampered}`);
    expect(res.status).toBe(401);
    const malformed = await request(t.app).get('/auth/me').set('Authorization', 'Basic dXNlcjpwYXNz');
    expect(malformed.status).toBe(401);
  });
});

describe('login failures', () => {
  it('answers the same for an unknown email and a wrong password', async () => {
    const who = await signup(t.app);
    const wrong = await request(t.app).post('/auth/sessions').send({ email: who.email, password: 'wrong password' });
    const unknown = await request(t.app).post('/auth/sessions').send({ email: uniqueEmail('nobody'), password: 'wrong password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error).toEqual({ code: 'INVALID_CREDENTIALS', message: 'Invalid email or password' });
  });

  it('rate-limits repeated failures per email with 429 and Retry-After', async () => {
    const who = await signup(t.app);
    for (let i = 0; i < 3; i++) {
      const res = await request(t.app)
        .post('/auth/sessions')
        .set('X-Forwarded-For', '10.0.0.1')
        .send({ email: who.email, password: 'wrong password' });
      expect(res.status).toBe(401);
    }
    const limited = await request(t.app).post('/auth/sessions').send({ email: who.email, password: who.password });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Other accounts are not affected by this email's failures.
    const other = await signup(t.app);
    expect((await request(t.app).post('/auth/sessions').send({ email: other.email, password: other.password })).status).toBe(200);
  });

  it('rate-limits repeated failures per IP across emails', async () => {
    const ipApp = await createTestApp({ env: { TRUST_PROXY: 'true', LOGIN_MAX_FAILURES_PER_IP: '4' } });
    try {
      const who = await signup(ipApp.app);
      for (let i = 0; i < 4; i++) {
        const res = await request(ipApp.app)
          .post('/auth/sessions')
          .set('X-Forwarded-For', '203.0.113.9')
          .send({ email: uniqueEmail('guess'), password: 'whatever1' });
        expect(res.status).toBe(401);
      }
      const fromSameIp = await request(ipApp.app)
        .post('/auth/sessions')
        .set('X-Forwarded-For', '203.0.113.9')
        .send({ email: who.email, password: who.password });
      expect(fromSameIp.status).toBe(429);
      const fromElsewhere = await request(ipApp.app)
        .post('/auth/sessions')
        .set('X-Forwarded-For', '198.51.100.7')
        .send({ email: who.email, password: who.password });
      expect(fromElsewhere.status).toBe(200);
    } finally {
      await ipApp.close();
    }
  });

  it('a successful login clears the failures of that email', async () => {
    const who = await signup(t.app);
    for (let i = 0; i < 2; i++) {
      await request(t.app).post('/auth/sessions').send({ email: who.email, password: 'wrong password' });
    }
    await login(t.app, who.email, who.password);
    for (let i = 0; i < 2; i++) {
      expect((await request(t.app).post('/auth/sessions').send({ email: who.email, password: 'nope nope' })).status).toBe(401);
    }
    expect((await request(t.app).post('/auth/sessions').send({ email: who.email, password: who.password })).status).toBe(200);
  });
});

import request from 'supertest';
import { createTestApp, type TestApp } from '../../support/app.js';
import { DEFAULT_PASSWORD, uniqueEmail } from '../../support/factories.js';

/** Issue 16 items 3 and 9: atomic login limits, a lock that cannot lock the owner out, signup limits, password policy. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    env: { TRUST_PROXY: 'true', LOGIN_MAX_FAILURES_PER_EMAIL: '5', LOGIN_MAX_FAILURES_PER_IP: '20', SIGNUP_MAX_PER_IP: '3' },
  });
});
afterAll(async () => {
  await t.close();
});

let ipCounter = 0;
/** A fresh client address per test (documentation range), so tests do not share IP counters. */
const freshIp = () => `198.51.100.${++ipCounter}`;

async function signupFrom(ip: string, overrides: Record<string, string> = {}): Promise<request.Response> {
  return request(t.app)
    .post('/auth/signup')
    .set('X-Forwarded-For', ip)
    .send({ email: uniqueEmail(), password: 'correct horse battery', tenantName: 'Acme', ...overrides });
}

/** An owner signed up from an address of its own (signups are limited per address). */
async function newOwner(): Promise<{ email: string; password: string }> {
  const email = uniqueEmail('owner');
  const res = await signupFrom(freshIp(), { email, password: DEFAULT_PASSWORD });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status}`);
  return { email, password: DEFAULT_PASSWORD };
}

describe('login limits', () => {
  it('30 parallel logins (29 wrong, 1 right) pass at most the limit to the password check, then 429', async () => {
    const owner = await newOwner();
    const attacker = freshIp();
    const attempts = Array.from({ length: 30 }, (_, i) =>
      request(t.app)
        .post('/auth/sessions')
        .set('X-Forwarded-For', attacker)
        .send({ email: owner.email, password: i === 17 ? owner.password : `wrong password ${i}` }),
    );
    const statuses = (await Promise.all(attempts)).map((r) => r.status);
    const count = (s: number) => statuses.filter((x) => x === s).length;
    expect(count(401) + count(200)).toBeLessThanOrEqual(5);
    expect(count(429)).toBeGreaterThanOrEqual(25);
    expect(count(401) + count(200) + count(429)).toBe(30);
  });

  it('the lock is per email and IP: the owner still logs in from another address', async () => {
    const owner = await newOwner();
    const attacker = freshIp();
    for (let i = 0; i < 5; i++) {
      const res = await request(t.app).post('/auth/sessions').set('X-Forwarded-For', attacker).send({ email: owner.email, password: 'wrong password' });
      expect(res.status).toBe(401);
    }
    const locked = await request(t.app).post('/auth/sessions').set('X-Forwarded-For', attacker).send({ email: owner.email, password: owner.password });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    const fromHome = await request(t.app).post('/auth/sessions').set('X-Forwarded-For', freshIp()).send({ email: owner.email, password: owner.password });
    expect(fromHome.status).toBe(200);
  });

  it('the per-IP limit holds under parallel guesses across many emails', async () => {
    const attacker = freshIp();
    const statuses = (
      await Promise.all(
        Array.from({ length: 40 }, () =>
          request(t.app).post('/auth/sessions').set('X-Forwarded-For', attacker).send({ email: uniqueEmail('guess'), password: 'whatever1' }),
        ),
      )
    ).map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(20);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(20);
  });

  it('successful logins are not counted as failures', async () => {
    const owner = await newOwner();
    const ip = freshIp();
    for (let i = 0; i < 8; i++) {
      const res = await request(t.app).post('/auth/sessions').set('X-Forwarded-For', ip).send({ email: owner.email, password: owner.password });
      expect(res.status).toBe(200);
    }
  });
});

describe('signup limits', () => {
  it('signups are limited per IP address, taken emails included (no free enumeration)', async () => {
    const ip = freshIp();
    const taken = await newOwner();
    expect((await signupFrom(ip)).status).toBe(201);
    expect((await signupFrom(ip, { email: taken.email })).status).toBe(409);
    expect((await signupFrom(ip)).status).toBe(201);
    const limited = await signupFrom(ip, { email: taken.email });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await signupFrom(freshIp())).status).toBe(201);
  });

  it('parallel signups from one address stop at the limit', async () => {
    const ip = freshIp();
    const statuses = (await Promise.all(Array.from({ length: 10 }, () => signupFrom(ip)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 201).length).toBe(3);
    expect(statuses.filter((s) => s === 429).length).toBe(7);
  });
});

describe('password policy', () => {
  it.each([
    ['a common password', 'password123'],
    ['a common password in capitals', 'QWERTYUIOP'],
    ['all whitespace', '          '],
  ])('refuses %s', async (_label, password) => {
    const res = await signupFrom(freshIp(), { password });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'password' })]);
  });

  it('refuses the email as the password', async () => {
    const email = uniqueEmail('same');
    const res = await signupFrom(freshIp(), { email, password: email.toUpperCase() });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'password', message: 'password must not be the email address' })]);
  });

  it('accepts a passphrase with spaces', async () => {
    expect((await signupFrom(freshIp(), { password: '  purple monkey dishwasher ' })).status).toBe(201);
  });
});

import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';

export const DEFAULT_PASSWORD = 'correct horse battery';

export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomBytes(5).toString('hex')}@example.com`;
}

/** The `auth-session=<jwt>` pair from a response's Set-Cookie, ready for a Cookie header. */
export function sessionCookie(res: request.Response): string {
  const raw = res.headers['set-cookie'] as unknown as string[] | undefined;
  const found = raw?.find((c) => c.startsWith('auth-session='));
  if (!found) throw new Error(`no auth-session cookie in response (status ${res.status})`);
  return found.split(';')[0] ?? '';
}

export function tokenOf(cookie: string): string {
  return cookie.slice('auth-session='.length);
}

export interface SignedUp {
  email: string;
  password: string;
  cookie: string;
  token: string;
  userId: string;
  tenantId: string;
}

export async function signup(
  app: Express,
  overrides: Partial<{ email: string; password: string; tenantName: string }> = {},
): Promise<SignedUp> {
  const body = { email: uniqueEmail(), password: DEFAULT_PASSWORD, tenantName: 'Acme Ltda', ...overrides };
  const res = await request(app).post('/auth/signup').send(body);
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  const cookie = sessionCookie(res);
  return {
    email: body.email,
    password: body.password,
    cookie,
    token: tokenOf(cookie),
    userId: res.body.data.user.id,
    tenantId: res.body.data.tenant.id,
  };
}

export async function login(app: Express, email: string, password: string): Promise<string> {
  const res = await request(app).post('/auth/sessions').send({ email, password });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return sessionCookie(res);
}

export async function createInstance(
  app: Express,
  cookie: string,
  body: { name?: string; webhookUrl?: string } = {},
): Promise<{ instanceId: string; instanceName: string }> {
  const res = await request(app)
    .post('/whatsapp/instances')
    .set('Cookie', cookie)
    .send({ name: `Instance ${randomBytes(3).toString('hex')}`, ...body });
  if (res.status !== 201) throw new Error(`create instance failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

export async function createApiKey(app: Express, cookie: string, name = 'server'): Promise<string> {
  const res = await request(app).post('/auth/api-keys').set('Cookie', cookie).send({ name });
  if (res.status !== 201) throw new Error(`create api key failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.key;
}

import type { Express } from 'express';
import request from 'supertest';
import { createApiKey, signup, type SignedUp } from '../../support/factories.js';

export interface ZapiClient extends SignedUp {
  systemId: number;
  apiKey: string;
  token: string;
  /** Authorization + X-Sistema-ID, as an old client sends them. */
  headers: Record<string, string>;
}

/** A tenant with an API key, and a compat token obtained the way an old client does. */
export async function zapiClient(app: Express): Promise<ZapiClient> {
  const who = await signup(app);
  const me = await request(app).get('/auth/me').set('Cookie', who.cookie);
  const systemId = me.body.data.tenant.systemId as number;
  const apiKey = await createApiKey(app, who.cookie);
  const res = await request(app).post('/api/auth/token').set('X-Sistema-ID', String(systemId)).send({ chave_api: apiKey });
  if (res.status !== 200) throw new Error(`token failed: ${res.status} ${JSON.stringify(res.body)}`);
  const token = res.body.token as string;
  return { ...who, systemId, apiKey, token, headers: { Authorization: `Bearer ${token}`, 'X-Sistema-ID': String(systemId) } };
}

let counter = 0;

/** Creates an instance through POST /api/instancias; returns the answer. */
export async function zapiInstance(
  app: Express,
  client: ZapiClient,
  body: Partial<{ tag: string; descricao: string; instance_id: string; instance_token: string; client_token: string }> = {},
): Promise<{ id: number; uuid: string; tag: string }> {
  counter += 1;
  const res = await request(app)
    .post('/api/instancias')
    .set(client.headers)
    .send({
      tag: `tag-${counter}-${Date.now()}`,
      descricao: 'Instância de produção',
      instance_id: '3DFBA0001',
      instance_token: 'ABC123TOKEN',
      client_token: 'xyz987',
      ...body,
    });
  if (res.status !== 201) throw new Error(`create instance failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

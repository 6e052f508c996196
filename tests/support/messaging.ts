/** Helpers for the messaging e2e tests (on top of startEngineApp). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { createInstance, signup } from './factories.js';
import { freshPhone, startEngineApp, type EngineApp, type EngineAppOptions } from './engine-app.js';

/** Pacing off, private media URLs allowed (local media server), media in a temp dir. */
export function messagingEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    SEND_RATE_PER_SECOND: '0',
    MEDIA_ALLOW_PRIVATE_URLS: 'true',
    MEDIA_DIR: mkdtempSync(join(tmpdir(), 'zap-media-')),
    ...extra,
  };
}

export interface PairedTenant {
  e: EngineApp;
  cookie: string;
  instanceId: string;
  /** The instance's phone (digits). */
  phone: string;
}

export async function startPaired(options: EngineAppOptions = {}): Promise<PairedTenant> {
  const e = await startEngineApp({ ...options, env: messagingEnv(options.env) });
  const owner = await signup(e.app);
  const { instanceId } = await createInstance(e.app, owner.cookie);
  const { phone } = await e.pair(owner.cookie, instanceId);
  return { e, cookie: owner.cookie, instanceId, phone };
}

export async function newContact(e: EngineApp, name = 'Contact'): Promise<string> {
  const phone = freshPhone();
  await e.control.createContact(phone, name);
  return phone;
}

export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

export function api(app: Express, cookie: string) {
  return {
    get: (path: string) => request(app).get(path).set('Cookie', cookie),
    post: (path: string, body?: object) => request(app).post(path).set('Cookie', cookie).send(body),
  };
}

/** Polls GET .../messages/{id} until `status` (or a later one in `accept`). */
export async function waitForStatus(
  app: Express,
  cookie: string,
  instanceId: string,
  messageId: string,
  accept: string[],
  timeoutMs = 20_000,
): Promise<Record<string, unknown>> {
  return eventually(async () => {
    const res = await request(app).get(`/whatsapp/instances/${instanceId}/messages/${messageId}`).set('Cookie', cookie);
    if (res.status !== 200) throw new Error(`GET message: ${res.status} ${JSON.stringify(res.body)}`);
    const data = res.body.data as Record<string, unknown>;
    if (!accept.includes(data.status as string)) throw new Error(`status ${String(data.status)} not in ${accept.join(',')}: ${JSON.stringify(data)}`);
    return data;
  }, timeoutMs);
}

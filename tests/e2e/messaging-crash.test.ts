/**
 * kill -9 during a burst: the process that accepted 100 messages is killed while sending them; a new process on
 * the same Postgres and Redis carries on. The simulator's contact must end with each message exactly once.
 */
import { jest } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { ControlClient } from '../../src/simulator/control/control-client.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freshPhone } from '../support/engine-app.js';
import { eventually } from '../support/messaging.js';
import { startProductProcess } from '../support/product-process.js';
import { createTestRedis, testRedisUrl, type TestRedis } from '../support/redis.js';

jest.setTimeout(240_000);

let sim: RunningSimulator;
let db: TestDatabase;
let redis: TestRedis;
const children: ChildProcess[] = [];

async function startProcess(nodeId: string): Promise<{ child: ChildProcess; url: string }> {
  const { child, url } = await startProductProcess({
    nodeId,
    databaseUrl: db.url,
    redisUrl: testRedisUrl,
    redisPrefix: redis.prefix,
    sim,
    env: { LEASE_TTL_MS: '3000', SEND_JOB_LOCK_MS: '2000', SEND_RATE_PER_SECOND: '10' },
  });
  children.push(child);
  return { child, url };
}

async function call(url: string, method: string, path: string, cookie: string | null, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(cookie ? { cookie } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as { data: Record<string, unknown> } };
}

beforeAll(async () => {
  sim = await startSimulator({ seed: `crash-${process.pid}` });
  [db, redis] = await Promise.all([createTestDatabase(), createTestRedis()]);
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.allSettled([db?.close(), redis?.close()]);
  await sim?.close();
});

describe('messaging e2e: kill -9 during a burst', () => {
  it('no message is lost and none is delivered twice', async () => {
    const control = new ControlClient(sim.controlUrl);
    const first = await startProcess('crash-a');
    const signup = await fetch(`${first.url}/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `crash-${process.pid}@example.com`, password: 'correct horse battery', tenantName: 'Crash Ltda' }),
    });
    expect(signup.status).toBe(201);
    const cookie = (signup.headers.get('set-cookie') ?? '').split(';')[0]!;
    const created = await call(first.url, 'POST', '/whatsapp/instances', cookie, { name: 'Crash test' });
    const instanceId = created.body.data.instanceId as string;
    const phone = freshPhone();
    const qr = await eventually(async () => {
      const res = await call(first.url, 'GET', `/whatsapp/instances/${instanceId}`, cookie);
      const code = (res.body.data.qrCode as { code?: string } | undefined)?.code;
      if (!code) throw new Error('no QR yet');
      return code;
    }, 30_000, 200);
    await control.scan(qr, phone, 'Crash Phone');
    await eventually(async () => {
      const res = await call(first.url, 'GET', `/whatsapp/instances/${instanceId}`, cookie);
      if (res.body.data.status !== 'connected') throw new Error(String(res.body.data.status));
    }, 30_000, 200);

    const contact = freshPhone();
    await control.createContact(contact, 'Counter');
    const total = 100;
    for (let i = 0; i < total; i++) {
      const res = await call(first.url, 'POST', `/whatsapp/instances/${instanceId}/send-text`, cookie, { to: contact, message: `crash ${i}` });
      expect(res.status).toBe(202);
    }
    // Kill while the burst is being sent (10/s: about 10 s for all of it).
    await eventually(async () => {
      const count = (await control.inbox(contact)).length;
      if (count < 10) throw new Error(`inbox ${count}`);
    }, 60_000, 50);
    first.child.kill('SIGKILL');
    const atKill = (await control.inbox(contact)).length;
    expect(atKill).toBeLessThan(total);

    await startProcess('crash-b');
    const inbox = await eventually(async () => {
      const items = await control.inbox(contact);
      if (items.length < total) throw new Error(`inbox ${items.length}`);
      return items;
    }, 120_000, 500);
    await new Promise((r) => setTimeout(r, 3000)); // anything duplicated would arrive now
    const final = await control.inbox(contact);
    const texts = final.map((i) => i.text ?? '');
    const expected = Array.from({ length: total }, (_, i) => `crash ${i}`);
    const duplicated = texts.filter((text, i) => texts.indexOf(text) !== i);
    const missing = expected.filter((text) => !texts.includes(text));
    expect({ atKill, duplicated, missing }).toEqual({ atKill, duplicated: [], missing: [] });
    expect(new Set(final.map((i) => i.id)).size).toBe(total);
    expect(final).toHaveLength(total);
    expect(inbox.length).toBe(total);
  });
});

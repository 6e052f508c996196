/**
 * kill -9 during a burst: the process that accepted 100 messages is killed while sending them; a new process on
 * the same Postgres and Redis carries on. The simulator's contact must end with each message exactly once.
 */
import { jest } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlClient } from '../../src/simulator/control/control-client.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freshPhone } from '../support/engine-app.js';
import { eventually } from '../support/messaging.js';
import { createTestRedis, testRedisUrl, type TestRedis } from '../support/redis.js';

jest.setTimeout(240_000);

const root = process.cwd();
let sim: RunningSimulator;
let db: TestDatabase;
let redis: TestRedis;
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

async function startProcess(nodeId: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  // `node --import tsx`, not the tsx CLI: the CLI runs the program in a child of its own, which a SIGKILL of the
  // CLI would leave running (the "crashed" node would go on sending).
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/main.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      JWT_SECRET: TEST_JWT_SECRET,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      DATABASE_URL: db.url,
      REDIS_URL: testRedisUrl,
      REDIS_PREFIX: redis.prefix,
      WA_WS_URL: sim.wsUrl,
      WA_TRUST_ROOT_KEY: sim.rootPublicKey,
      NODE_EXTRA_CA_CERTS: join(root, '.sandbox/certs/ca.pem'),
      HOST: '127.0.0.1',
      PORT: String(port),
      NODE_ID: nodeId,
      LEASE_TTL_MS: '3000',
      SEND_JOB_LOCK_MS: '2000',
      SEND_RATE_PER_SECOND: '10',
      RECONNECT_BASE_MS: '100',
      RECONNECT_MAX_MS: '1000',
      MEDIA_DIR: mkdtempSync(join(tmpdir(), 'zap-crash-')),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`process exited: ${stderr}`);
    const res = await fetch(`${url}/health`);
    if (!res.ok) throw new Error(String(res.status));
  }, 60_000, 250);
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

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import request from 'supertest';
import { verifyWebhook } from '../../../src/services/webhooks/webhook-signer.js';
import { createWebhooksModule } from '../../../src/wiring/webhooks-module.js';
import { signup } from '../../support/factories.js';
import { createWebhookTestApp, FAST_WEBHOOK_ENV, hang, Receiver, waitFor, type WebhookTestApp } from './webhook-kit.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const upsert = (id: string) => ({
  key: { remoteJid: '5511988887777@s.whatsapp.net', fromMe: false, id },
  message: { conversation: 'oi' },
  messageType: 'conversation',
  messageTimestamp: '1704456789',
});

let t: WebhookTestApp;
const receiver = new Receiver();
// Enough attempts to ride out the outages below.
const env = { WEBHOOK_MAX_ATTEMPTS: '30', WEBHOOK_BACKOFF_BASE_MS: '100', WEBHOOK_BACKOFF_MAX_MS: '400' };

beforeAll(async () => {
  t = await createWebhookTestApp({ env });
  await receiver.start();
});
afterAll(async () => {
  await t?.close();
  await receiver.stop();
});

async function instanceAt(url: string) {
  const owner = await signup(t.app);
  const res = await request(t.app).post('/whatsapp/instances').set('Cookie', owner.cookie).send({ name: 'Recovery', webhookUrl: url });
  expect(res.status).toBe(201);
  return { cookie: owner.cookie, tenantId: owner.tenantId, instanceId: res.body.data.instanceId as string, secret: res.body.data.webhookSecret as string };
}

const arrived = (p: string, ids: string[], secret: string) => () =>
  ids.every((id) =>
    receiver.hitsOf(p).some((h) => h.headers['x-webhook-id'] === id && verifyWebhook({ secret, headers: h.headers, body: h.body }).ok),
  );

function startChild(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'runner-child.ts')], {
    cwd: root,
    env: {
      ...process.env,
      ...FAST_WEBHOOK_ENV,
      ...env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: t.config.databaseUrl,
      REDIS_URL: t.config.redisUrl,
      REDIS_PREFIX: t.config.redisPrefix,
      ENCRYPTION_KEY: t.config.encryptionKey.toString('hex'),
      JWT_SECRET: t.config.jwtSecret,
      LEASE_MS: '2000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout?.on('data', (c: Buffer) => {
      if (c.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`runner child exited (${code}): ${err}`)));
  });
}

describe('nothing is lost', () => {
  it('receiver down for a while, then up: everything arrives', async () => {
    await t.webhooks.start();
    const { instanceId, secret } = await instanceAt(receiver.url('/outage'));
    await receiver.stop();
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await t.emit(instanceId, 'messages.upsert', upsert(`OUT${i}`))).eventId);
    await new Promise((r) => setTimeout(r, 1500));
    await receiver.start();
    await waitFor(arrived('/outage', ids, secret), 20_000, 'all ten after the outage');
    await waitFor(() => t.webhooks.runner.activeCount === 0);
    await t.webhooks.runner.close();
  });

  it('a runner process killed (SIGKILL) with deliveries in flight and pending: a new runner delivers them all', async () => {
    const { instanceId, secret, tenantId } = await instanceAt(receiver.url('/crash', [], hang));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await t.emit(instanceId, 'messages.upsert', upsert(`CRASH${i}`))).eventId);
    const child = await startChild();
    try {
      // The child holds all five: requests in flight at the receiver, which does not answer.
      await waitFor(() => receiver.hitsOf('/crash').length >= 5, 20_000, 'the child to send');
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    // More events while no runner runs.
    for (let i = 5; i < 8; i++) ids.push((await t.emit(instanceId, 'messages.upsert', upsert(`CRASH${i}`))).eventId);
    receiver.url('/crash'); // answers 200 from now on

    // A new node on the same database and Redis prefix.
    const next = createWebhooksModule({
      config: t.config,
      dataSource: t.db.dataSource,
      redis: t.redis.redis,
      logger: t.logger,
      tuning: { leaseMs: 3000 },
    });
    try {
      await next.start();
      await waitFor(arrived('/crash', ids, secret), 30_000, 'all eight after the crash');
      const answered = receiver.hitsOf('/crash').filter((h) => ids.includes(h.headers['x-webhook-id'] as string));
      expect(new Set(answered.map((h) => h.headers['x-webhook-id'])).size).toBe(8);
      const succeeded = async () => (await t.webhooks.service.listDeliveries(tenantId, instanceId, { status: 'succeeded' }, {})).total;
      await waitFor(async () => (await succeeded()) === 8, 10_000, 'every delivery succeeded');
    } finally {
      await next.close();
    }
  });
});

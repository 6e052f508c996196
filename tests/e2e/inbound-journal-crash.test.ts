/**
 * Honest recovery of inbound messages (issue 15), with real processes: the product (`src/main.ts`) on a PRIVATE
 * Postgres (stopped and started by the test; the shared one is never touched), the shared Redis under this file's
 * own prefix, and the simulator.
 *
 * Baileys sends WhatsApp's delivery receipt before it hands a message to us, and WhatsApp (like the simulator)
 * redelivers only what was not receipted. While Postgres is away the messages wait in memory; before the inbound
 * journal a `kill -9` then lost every one of them. Now each is in Redis (encrypted) before its receipt leaves, and the
 * next process replays it.
 */
import { jest } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { ControlClient } from '../../src/simulator/control/control-client.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { freshPhone } from '../support/engine-app.js';
import { eventually } from '../support/messaging.js';
import { startProductProcess } from '../support/product-process.js';
import { startPrivatePostgres, type PrivateDependency } from '../support/private-dependencies.js';
import { createTestRedis, testRedisUrl, type TestRedis } from '../support/redis.js';
import { Receiver } from '../support/webhook-receiver.js';

jest.setTimeout(180_000);

const N = 20;
let sim: RunningSimulator;
let postgres: PrivateDependency;
let redis: TestRedis;
let control: ControlClient;
const receiver = new Receiver();
let node: { child: ChildProcess; url: string } | null = null;
let cookie = '';
let instanceId = '';
let phone = '';
let contact = '';
let journalKey = '';

async function startNode(): Promise<void> {
  node = await startProductProcess({
    nodeId: 'journal-a',
    databaseUrl: postgres.url,
    redisUrl: testRedisUrl,
    redisPrefix: redis.prefix,
    sim,
    env: {
      NODE_LIVENESS_TTL_MS: '1000',
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      WEBHOOK_POLL_INTERVAL_MS: '200',
      WEBHOOK_BACKOFF_BASE_MS: '100',
      WEBHOOK_BACKOFF_MAX_MS: '500',
    },
  });
}

async function kill(signal: NodeJS.Signals): Promise<void> {
  const child = node!.child;
  node = null;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${node!.url}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(cookie ? { cookie } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as { data?: Record<string, unknown> } };
}

async function query<T>(sql: string, params: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** How many rows hold each of `ids` (inbound), and how many `messages.upsert` webhooks named each. */
async function storedAndNotified(ids: string[]): Promise<{ rows: Record<string, number>; webhooks: Record<string, number> }> {
  const rows: Record<string, number> = Object.fromEntries(ids.map((id) => [id, 0]));
  for (const r of await query<{ wa_message_id: string; n: string }>(
    `SELECT wa_message_id, count(*) AS n FROM messages WHERE instance_id = $1 AND from_me = false AND wa_message_id = ANY($2) GROUP BY wa_message_id`,
    [instanceId, ids],
  )) {
    rows[r.wa_message_id] = Number(r.n);
  }
  const webhooks: Record<string, number> = Object.fromEntries(ids.map((id) => [id, 0]));
  for (const hit of receiver.hitsOf('/events')) {
    const body = JSON.parse(hit.body) as { event: string; data: { key?: { id?: string } } };
    const id = body.data.key?.id;
    if (body.event === 'messages.upsert' && id !== undefined && id in webhooks) webhooks[id]! += 1;
  }
  return { rows, webhooks };
}

const once = (ids: string[]) => Object.fromEntries(ids.map((id) => [id, 1]));

/** Postgres stopped, N texts from the contact, each receipted by the device (WhatsApp will not send it again). */
async function receiptedWhilePostgresIsDown(label: string): Promise<string[]> {
  await postgres.stop();
  const ids: string[] = [];
  for (let i = 0; i < N; i++) ids.push((await control.sendFromContact(contact, { to: phone, text: `${label}-${i}` })).id);
  await eventually(async () => {
    const receipted = new Set((await control.receiptsReceived(contact)).map((r) => r.id));
    const missing = ids.filter((id) => !receipted.has(id));
    if (missing.length > 0) throw new Error(`${missing.length} of ${N} not receipted yet`);
  }, 30_000, 200);
  return ids;
}

beforeAll(async () => {
  [postgres, redis, sim] = await Promise.all([startPrivatePostgres(), createTestRedis(), startSimulator({ seed: `journal-${process.pid}` })]);
  control = new ControlClient(sim.controlUrl);
  await receiver.start();
  await startNode();
  const signup = await fetch(`${node!.url}/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `journal-${process.pid}@example.com`, password: 'correct horse battery', tenantName: 'Journal Ltda' }),
  });
  expect(signup.status).toBe(201);
  cookie = (signup.headers.get('set-cookie') ?? '').split(';')[0]!;
  instanceId = (await call('POST', '/whatsapp/instances', { name: 'Journal', webhookUrl: receiver.url('/events') })).body.data!.instanceId as string;
  journalKey = `${redis.prefix}:inbound:${instanceId}`;
  phone = freshPhone();
  const qr = await eventually(async () => {
    const code = ((await call('GET', `/whatsapp/instances/${instanceId}`)).body.data?.qrCode as { code?: string } | undefined)?.code;
    if (!code) throw new Error('no QR yet');
    return code;
  }, 30_000, 200);
  await control.scan(qr, phone, 'Journal Phone');
  await eventually(async () => {
    const status = (await call('GET', `/whatsapp/instances/${instanceId}`)).body.data?.status;
    if (status !== 'connected') throw new Error(String(status));
  }, 30_000, 200);
  contact = freshPhone();
  await control.createContact(contact, 'Journal Contact');
}, 120_000);

afterAll(async () => {
  if (node && node.child.exitCode === null) node.child.kill('SIGKILL');
  await receiver.stop();
  await Promise.allSettled([postgres?.destroy(), redis?.close(), sim?.close()]);
});

describe('inbound journal: receipted messages survive a crash', () => {
  let ids: string[] = [];
  let snapshot: Record<string, string> = {};

  it('kill -9 during a Postgres outage: every receipted message is stored once and reaches the webhook once', async () => {
    ids = await receiptedWhilePostgresIsDown('journal');
    // Journaled before the receipt, encrypted at rest: the raw values hold none of the texts.
    const entries = await redis.redis.hgetall(journalKey);
    expect(Object.keys(entries).sort()).toEqual([...ids].sort());
    for (const value of Object.values(entries)) {
      expect(value.startsWith('v1.')).toBe(true);
      expect(value).not.toContain('journal-');
      expect(Buffer.from(value.slice(3), 'base64').toString('latin1')).not.toContain('journal-');
    }
    snapshot = entries;

    await kill('SIGKILL');
    await postgres.start();
    await startNode();

    await eventually(async () => {
      const { rows, webhooks } = await storedAndNotified(ids);
      expect({ rows, webhooks }).toEqual({ rows: once(ids), webhooks: once(ids) });
    }, 60_000, 500);
    await eventually(async () => expect(await redis.redis.hlen(journalKey)).toBe(0), 10_000, 200);
    await new Promise((r) => setTimeout(r, 2000)); // a duplicate would show now
    expect(await storedAndNotified(ids)).toEqual({ rows: once(ids), webhooks: once(ids) });
  });

  it('replaying entries of messages already stored adds no row and no webhook', async () => {
    expect(Object.keys(snapshot)).toHaveLength(N);
    // As if the process had died after the commits but before the journal deletes.
    await redis.redis.hset(journalKey, snapshot);
    await kill('SIGKILL');
    await startNode();
    await eventually(async () => expect(await redis.redis.hlen(journalKey)).toBe(0), 60_000, 200); // replayed and settled
    await new Promise((r) => setTimeout(r, 2000));
    expect(await storedAndNotified(ids)).toEqual({ rows: once(ids), webhooks: once(ids) });
  });

  it('after a restart, live inbound messages are journaled and settled as before', async () => {
    const id = (await control.sendFromContact(contact, { to: phone, text: 'after-restart' })).id;
    await eventually(async () => expect(await storedAndNotified([id])).toEqual({ rows: once([id]), webhooks: once([id]) }), 30_000, 200);
    await eventually(async () => expect(await redis.redis.hlen(journalKey)).toBe(0), 10_000, 200);
  });
});

import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { createQueueConnection } from '../../../src/queues/queue-connection.js';
import { QueueNaming } from '../../../src/queues/queue-naming.js';
import { WebhookDeliveryQueue } from '../../../src/queues/webhook-delivery-queue.js';
import { WebhookDeliveryWorker } from '../../../src/queues/webhook-delivery-worker.js';
import { createRetryPolicy } from '../../../src/services/webhooks/retry-policy.js';
import {
  WebhookDispatcher,
  type WebhookAttemptRecord,
  type WebhookDeliveryRecord,
  type WebhookDeliveryStore,
} from '../../../src/services/webhooks/webhook-dispatcher.js';
import { buildWebhookEnvelope } from '../../../src/services/webhooks/webhook-events.js';
import { generateWebhookSecret, verifyWebhook } from '../../../src/services/webhooks/webhook-signer.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = pino({ level: 'silent' });
const uid = () => randomBytes(6).toString('hex');

/** Our WebhookDeliveryStore port, in memory. */
class MemoryStore implements WebhookDeliveryStore {
  readonly deliveries = new Map<string, WebhookDeliveryRecord>();
  readonly attempts = new Map<string, WebhookAttemptRecord[]>();

  async load(deliveryId: string): Promise<WebhookDeliveryRecord | null> {
    const found = this.deliveries.get(deliveryId);
    return found ? { ...found } : null;
  }

  async recordAttempt(deliveryId: string, attempt: WebhookAttemptRecord): Promise<void> {
    const delivery = this.deliveries.get(deliveryId);
    if (!delivery) return;
    delivery.attempts = attempt.attempt;
    delivery.status = attempt.status;
    this.attempts.set(deliveryId, [...(this.attempts.get(deliveryId) ?? []), attempt]);
  }

  statusOf(id: string) {
    return this.deliveries.get(id)?.status;
  }
}

/** A receiver whose answers the test scripts, per path, in turn. */
class Receiver {
  readonly hits: { path: string; headers: IncomingMessage['headers']; body: string; at: number }[] = [];
  private readonly scripts = new Map<string, ((res: ServerResponse) => void)[]>();
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.hits.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const next = this.scripts.get(req.url ?? '')?.shift();
      (next ?? ((r) => r.writeHead(200).end('ok')))(res);
    });
  });
  base = '';

  script(path: string, ...answers: ((res: ServerResponse) => void)[]): string {
    this.scripts.set(path, answers);
    return `${this.base}${path}`;
  }

  hitsOf(path: string) {
    return this.hits.filter((h) => h.path === path);
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const status = (code: number, headers: Record<string, string> = {}) => (res: ServerResponse) => res.writeHead(code, headers).end(`answer ${code}`);

async function waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('webhook delivery (BullMQ on real Redis, real HTTP receiver)', () => {
  const naming = new QueueNaming(`test-webhooks-${process.pid}-${uid()}`);
  const receiver = new Receiver();
  const secret = generateWebhookSecret();
  let connection: Redis;
  let store: MemoryStore;
  let queue: WebhookDeliveryQueue;
  let worker: WebhookDeliveryWorker;

  const addDelivery = (url: string, sequence = 1): WebhookDeliveryRecord => {
    const envelope = buildWebhookEnvelope({
      event: 'messages.upsert',
      instance: { instanceName: 'Atendimento', instanceId: 'inst_test' },
      sequence,
      data: {
        key: { remoteJid: '5511999999999@s.whatsapp.net', fromMe: false, id: 'BAE5C8F9A2B4E231' },
        message: { conversation: 'Olá!' },
        messageType: 'conversation',
        pushName: 'João Silva',
        messageTimestamp: '1704456789',
      },
    });
    const record: WebhookDeliveryRecord = {
      deliveryId: `dlv_${uid()}`,
      instanceId: 'inst_test',
      url,
      secret,
      eventId: envelope.id,
      body: JSON.stringify(envelope),
      attempts: 0,
      status: 'pending',
    };
    store.deliveries.set(record.deliveryId, record);
    return record;
  };

  beforeAll(async () => {
    connection = createQueueConnection(REDIS_URL);
    await receiver.start();
  });

  beforeEach(async () => {
    store = new MemoryStore();
    queue = new WebhookDeliveryQueue({ connection, naming, logger });
    const dispatcher = new WebhookDispatcher({
      store,
      policy: createRetryPolicy({ maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 200, maxRetryAfterMs: 2000 }),
      logger,
      allowPrivate: true,
      timeoutMs: 500,
    });
    worker = new WebhookDeliveryWorker({ connection, naming, handler: dispatcher, logger, concurrency: 5 });
    await worker.start();
  });

  afterEach(async () => {
    await worker.close();
    await queue.close();
  });

  afterAll(async () => {
    await receiver.stop();
    let cursor = '0';
    do {
      const [next, keys] = await connection.scan(cursor, 'MATCH', `${naming.redisPrefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await connection.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await connection.quit();
  });

  it('delivers a signed envelope once', async () => {
    const d = addDelivery(receiver.script('/ok', status(204)));
    await queue.enqueue({ instanceId: d.instanceId, deliveryId: d.deliveryId });
    await waitFor(() => store.statusOf(d.deliveryId) === 'succeeded', 5000, 'success');
    const [hit] = receiver.hitsOf('/ok');
    expect(receiver.hitsOf('/ok')).toHaveLength(1);
    expect(hit?.body).toBe(d.body);
    expect(verifyWebhook({ secret, headers: hit!.headers, body: hit!.body })).toMatchObject({ ok: true, id: d.eventId });
    expect(store.attempts.get(d.deliveryId)).toEqual([expect.objectContaining({ attempt: 1, statusCode: 204, status: 'succeeded', nextAttemptAt: null })]);
  });

  it('retries after 500s and succeeds on the third attempt, with the same event id', async () => {
    const d = addDelivery(receiver.script('/flaky', status(500), status(503), status(200)));
    await queue.enqueue({ instanceId: d.instanceId, deliveryId: d.deliveryId });
    await waitFor(() => store.statusOf(d.deliveryId) === 'succeeded', 10_000, 'success');
    const hits = receiver.hitsOf('/flaky');
    expect(hits).toHaveLength(3);
    expect(new Set(hits.map((h) => h.headers['x-webhook-id']))).toEqual(new Set([d.eventId]));
    expect(store.attempts.get(d.deliveryId)?.map((a) => [a.statusCode, a.status])).toEqual([
      [500, 'pending'],
      [503, 'pending'],
      [200, 'succeeded'],
    ]);
    expect(store.attempts.get(d.deliveryId)?.[0]?.nextAttemptAt).toBeInstanceOf(Date);
  });

  it('stops at once on a 404 and keeps the delivery as failed', async () => {
    const d = addDelivery(receiver.script('/gone', status(404)));
    await queue.enqueue({ instanceId: d.instanceId, deliveryId: d.deliveryId });
    await waitFor(() => store.statusOf(d.deliveryId) === 'failed', 5000, 'failure');
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.hitsOf('/gone')).toHaveLength(1);
    expect(store.attempts.get(d.deliveryId)?.[0]).toMatchObject({ statusCode: 404, error: 'status 404 is not retried', responseBody: 'answer 404' });
  });

  it('gives up after the last attempt (dead letter)', async () => {
    const d = addDelivery(receiver.script('/down', status(500), status(500), status(500), status(500), status(500)));
    await queue.enqueue({ instanceId: d.instanceId, deliveryId: d.deliveryId });
    await waitFor(() => store.statusOf(d.deliveryId) === 'failed', 10_000, 'dead letter');
    expect(receiver.hitsOf('/down')).toHaveLength(4);
    expect(store.attempts.get(d.deliveryId)?.at(-1)).toMatchObject({ attempt: 4, status: 'failed', error: 'no attempts left' });
  });

  it('honours Retry-After', async () => {
    const d = addDelivery(receiver.script('/busy', status(429, { 'retry-after': '1' }), status(200)));
    await queue.enqueue({ instanceId: d.instanceId, deliveryId: d.deliveryId });
    await waitFor(() => store.statusOf(d.deliveryId) === 'succeeded', 10_000, 'success');
    const [first, second] = receiver.hitsOf('/busy');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
  });

  it('retries when the receiver is down, and delivers once it is up', async () => {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const d = addDelivery(`http://127.0.0.1:${port}/late`);
    await queue.enqueue({ instanceId: d.instanceId, deliveryId: d.deliveryId });
    await waitFor(() => (store.attempts.get(d.deliveryId)?.length ?? 0) >= 1, 5000, 'first attempt');
    expect(store.attempts.get(d.deliveryId)?.[0]).toMatchObject({ statusCode: null, status: 'pending' });
    const late = http.createServer((_req, res) => res.writeHead(200).end());
    await new Promise<void>((resolve) => late.listen(port, '127.0.0.1', resolve));
    try {
      await waitFor(() => store.statusOf(d.deliveryId) === 'succeeded', 10_000, 'late success');
    } finally {
      late.closeAllConnections();
      await new Promise<void>((resolve) => late.close(() => resolve()));
    }
  });

  it('ignores a duplicate enqueue, and redelivers on request', async () => {
    const d = addDelivery(receiver.script('/again', status(200), status(200)));
    await queue.enqueue({ instanceId: d.instanceId, deliveryId: d.deliveryId });
    await queue.enqueue({ instanceId: d.instanceId, deliveryId: d.deliveryId });
    await waitFor(() => store.statusOf(d.deliveryId) === 'succeeded', 5000, 'success');
    await queue.enqueue({ instanceId: d.instanceId, deliveryId: d.deliveryId });
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.hitsOf('/again')).toHaveLength(1);
    store.deliveries.get(d.deliveryId)!.status = 'pending';
    expect(await queue.redeliver({ instanceId: d.instanceId, deliveryId: d.deliveryId })).toBe(true);
    await waitFor(() => receiver.hitsOf('/again').length === 2, 5000, 'redelivery');
    expect(store.attempts.get(d.deliveryId)).toHaveLength(2);
  });

  it('skips deliveries that no longer exist, and fails a bad job without retrying', async () => {
    await queue.enqueue({ instanceId: 'inst_gone', deliveryId: 'dlv_gone' });
    const raw = new Queue(naming.webhooks(), { connection, prefix: naming.bullPrefix });
    await raw.add('webhook-delivery', { deliveryId: 42 }, { jobId: 'bad_job', attempts: 5 });
    await raw.close();
    const q = queue.queue;
    let states: [string, string] = ['', ''];
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      states = [await (await q.getJob('dlv_gone'))!.getState(), await (await q.getJob('bad_job'))!.getState()];
      if (states[0] === 'completed' && states[1] === 'failed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(states).toEqual(['completed', 'failed']);
    expect((await q.getJob('bad_job'))?.attemptsMade).toBe(1);
  });
});

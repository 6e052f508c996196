import http, { type IncomingMessage } from 'node:http';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import { authenticate } from '../../../src/http/middleware/authenticate.js';
import { InstanceRepository } from '../../../src/persistence/repositories/instance-repository.js';
import { WebhookDeliveryRepository } from '../../../src/persistence/repositories/webhook-delivery-repository.js';
import { WebhookEventRepository } from '../../../src/persistence/repositories/webhook-event-repository.js';
import { WebhookSecretRepository } from '../../../src/persistence/repositories/webhook-secret-repository.js';
import { createServices } from '../../../src/wiring/create-services.js';
import { createWebhooksModule, type WebhooksModule } from '../../../src/wiring/webhooks-module.js';
import { testConfig } from '../../support/app.js';
import { listen } from '../../support/browser.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { createInstance, signup } from '../../support/factories.js';
import { createTestRedis, type TestRedis } from '../../support/redis.js';

/** Issue 16 item 6: live streams are capped per tenant and per node, and idle streams do not poll Postgres. */

/** The real repository, counting the reads that streams make. */
class CountingEventRepository extends WebhookEventRepository {
  listAfterCalls = 0;
  lastSequencesCalls = 0;
  override listAfter(...args: Parameters<WebhookEventRepository['listAfter']>) {
    this.listAfterCalls += 1;
    return super.listAfter(...args);
  }
  override lastSequences(...args: Parameters<WebhookEventRepository['lastSequences']>) {
    this.lastSequencesCalls += 1;
    return super.lastSequences(...args);
  }
}

let db: TestDatabase;
let redis: TestRedis;
let webhooks: WebhooksModule;
let events: CountingEventRepository;
let app: ReturnType<typeof createApp>;
let server: Awaited<ReturnType<typeof listen>>;

beforeAll(async () => {
  [db, redis] = await Promise.all([createTestDatabase(), createTestRedis()]);
  const config = testConfig({ REDIS_PREFIX: redis.prefix, DATABASE_URL: db.url, STREAMS_MAX_PER_TENANT: '2', STREAMS_MAX_PER_NODE: '5' });
  const logger = pino({ level: config.logLevel });
  const services = createServices({ config, dataSource: db.dataSource, redis: redis.redis, logger });
  events = new CountingEventRepository(db.dataSource);
  webhooks = createWebhooksModule({
    config,
    dataSource: db.dataSource,
    redis: redis.redis,
    logger,
    repositories: {
      instances: new InstanceRepository(db.dataSource),
      webhookDeliveries: new WebhookDeliveryRepository(db.dataSource),
      webhookEvents: events,
      webhookSecrets: new WebhookSecretRepository(db.dataSource),
    },
    tuning: { heartbeatMs: 60_000, streamPollMs: 50 },
  });
  app = createApp({ config, logger, services, extraRouters: [webhooks.router(authenticate(services.auth))] });
  server = await listen(app);
});
afterAll(async () => {
  webhooks?.endStreams();
  await server?.close();
  await webhooks?.close();
  await Promise.allSettled([db?.close(), redis?.close()]);
});

const opened: http.ClientRequest[] = [];
afterEach(() => {
  for (const req of opened.splice(0)) req.destroy();
});

/** Opens a stream; resolves with the status (and, for an error, the JSON body) once the headers are in. */
function openStream(instanceId: string, cookie: string): Promise<{ status: number; body?: { error: { code: string } } }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${server.url}/whatsapp/instances/${instanceId}/events`, { headers: { Cookie: cookie, Accept: 'text/event-stream' } }, (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if (status === 200) return resolve({ status });
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status, body: JSON.parse(text) as { error: { code: string } } }));
    });
    req.on('error', reject);
    opened.push(req);
  });
}

async function tenantWithInstance(): Promise<{ cookie: string; instanceId: string }> {
  const owner = await signup(app);
  const { instanceId } = await createInstance(app, owner.cookie);
  return { cookie: owner.cookie, instanceId };
}

const until = async (fn: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('live stream caps', () => {
  it('past the per-tenant cap: 429 RATE_LIMITED; other tenants still connect; a closed stream frees its place', async () => {
    const a = await tenantWithInstance();
    const b = await tenantWithInstance();
    expect((await openStream(a.instanceId, a.cookie)).status).toBe(200);
    expect((await openStream(a.instanceId, a.cookie)).status).toBe(200);
    const third = await openStream(a.instanceId, a.cookie);
    expect(third.status).toBe(429);
    expect(third.body?.error.code).toBe('RATE_LIMITED');
    expect((await openStream(b.instanceId, b.cookie)).status).toBe(200);
    opened[0]?.destroy();
    await until(() => webhooks.streamCount() === 2);
    expect((await openStream(a.instanceId, a.cookie)).status).toBe(200);
  });

  it('past the per-node cap: 429 for everyone', async () => {
    const tenants = await Promise.all([1, 2, 3].map(() => tenantWithInstance()));
    await until(() => webhooks.streamCount() === 0);
    const statuses: number[] = [];
    for (const tnt of tenants) {
      statuses.push((await openStream(tnt.instanceId, tnt.cookie)).status, (await openStream(tnt.instanceId, tnt.cookie)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });
});

describe('idle streams and Postgres', () => {
  it('idle streams make no per-stream reads; one check per node catches an event whose notification was lost', async () => {
    await until(() => webhooks.streamCount() === 0);
    const a = await tenantWithInstance();
    const b = await tenantWithInstance();
    const initial = events.listAfterCalls;
    for (const tnt of [a, a, b, b]) expect((await openStream(tnt.instanceId, tnt.cookie)).status).toBe(200);
    await until(() => webhooks.streamCount() === 4);
    await until(() => events.listAfterCalls >= initial + 4); // each stream's first read, when it opens
    const reads = events.listAfterCalls;
    const checks = events.lastSequencesCalls;
    await until(() => events.lastSequencesCalls >= checks + 10); // ten fallback intervals of 50 ms
    expect(events.listAfterCalls).toBe(reads); // nothing new: no stream read the outbox
    // An event appended without a notification (as if the pub/sub message were lost) is still found.
    await events.append({ instanceId: a.instanceId, event: 'presence.update', data: { id: 'x' } });
    await until(() => events.listAfterCalls >= reads + 2); // a's two streams, and only those
    expect(events.listAfterCalls - reads).toBeLessThanOrEqual(4);
  });
});

it('the SSE route still answers 404 for another tenant’s instance before any cap', async () => {
  const a = await tenantWithInstance();
  const b = await tenantWithInstance();
  const res = await request(app).get(`/whatsapp/instances/${a.instanceId}/events`).set('Cookie', b.cookie);
  expect(res.status).toBe(404);
});

import http, { type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import request from 'supertest';
import { RedisEventChannel } from '../../../src/persistence/redis/event-channel.js';
import { RedisKeys } from '../../../src/persistence/redis/redis-keys.js';
import { signup } from '../../support/factories.js';
import { createWebhookTestApp, waitFor, type WebhookTestApp } from './webhook-kit.js';

interface SseMessage {
  id: string | null;
  event: string | null;
  data: string;
}

/** A minimal EventSource: collects messages and comments until closed. */
class SseClient {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  status = 0;
  headers: IncomingMessage['headers'] = {};
  private req: http.ClientRequest | null = null;
  private buffer = '';

  open(url: string, headers: Record<string, string>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.req = http.get(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
        this.status = res.statusCode ?? 0;
        this.headers = res.headers;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.feed(chunk));
        res.on('error', () => {});
        resolve();
      });
      this.req.on('error', (err) => (this.status ? undefined : reject(err)));
    });
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const message: SseMessage = { id: null, event: null, data: '' };
      let hasData = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
        else if (line.startsWith('id: ')) message.id = line.slice(4);
        else if (line.startsWith('event: ')) message.event = line.slice(7);
        else if (line.startsWith('data: ')) {
          message.data += line.slice(6);
          hasData = true;
        }
      }
      if (hasData) this.messages.push(message);
    }
  }

  close(): void {
    this.req?.destroy();
  }
}

let t: WebhookTestApp;
let server: Server;
let base: string;

beforeAll(async () => {
  // The fallback poll is long: only a notification (Redis pub/sub) wakes a stream quickly.
  t = await createWebhookTestApp({ tuning: { heartbeatMs: 300, streamPollMs: 60_000, replayWindow: 5 } });
  server = http.createServer(t.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await t?.close();
});

async function ownInstance() {
  const owner = await signup(t.app);
  const res = await request(t.app).post('/whatsapp/instances').set('Cookie', owner.cookie).send({ name: 'Painel' });
  return { cookie: owner.cookie, instanceId: res.body.data.instanceId as string };
}

const presence = (n: number) => ({ id: '5511999999999@s.whatsapp.net', presences: { '5511999999999@s.whatsapp.net': { lastKnownPresence: n % 2 ? 'composing' : 'available' } } });

describe('GET /whatsapp/instances/{id}/events (SSE)', () => {
  it('streams new events with id = sequence, sends heartbeats, and resumes after Last-Event-ID', async () => {
    const { cookie, instanceId } = await ownInstance();
    await t.emit(instanceId, 'presence.update', presence(0)); // before connecting: not replayed without Last-Event-ID

    const first = new SseClient();
    await first.open(`${base}/whatsapp/instances/${instanceId}/events`, { Cookie: cookie });
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/^text\/event-stream/);
    await waitFor(() => first.comments.includes('connected'), 5000, 'stream open');
    const sent = [];
    for (let i = 1; i <= 3; i++) sent.push(await t.emit(instanceId, 'presence.update', presence(i)));
    await waitFor(() => first.messages.length === 3, 5000, 'three events');
    expect(first.messages.map((m) => [m.id, m.event])).toEqual([
      ['2', 'presence.update'],
      ['3', 'presence.update'],
      ['4', 'presence.update'],
    ]);
    const envelope = JSON.parse(first.messages[0]!.data);
    expect(envelope).toMatchObject({ id: sent[0]!.eventId, event: 'presence.update', sequence: 2, instance: { instanceId }, data: presence(1) });
    await waitFor(() => first.comments.includes('keep-alive'), 3000, 'heartbeat');
    first.close();

    await t.emit(instanceId, 'connection.update', { status: 'connected', reason: 'connected', phone: '+5511999999999' });
    await t.emit(instanceId, 'presence.update', presence(5));
    const resumed = new SseClient();
    await resumed.open(`${base}/whatsapp/instances/${instanceId}/events`, { Cookie: cookie, 'Last-Event-ID': '4' });
    await waitFor(() => resumed.messages.length === 2, 5000, 'the missed events');
    expect(resumed.messages.map((m) => [m.id, m.event])).toEqual([
      ['5', 'connection.update'],
      ['6', 'presence.update'],
    ]);
    resumed.close();
  });

  it('replays at most the recent window', async () => {
    const { cookie, instanceId } = await ownInstance();
    for (let i = 0; i < 8; i++) await t.emit(instanceId, 'presence.update', presence(i));
    const client = new SseClient();
    await client.open(`${base}/whatsapp/instances/${instanceId}/events`, { Cookie: cookie, 'Last-Event-ID': '0' });
    await waitFor(() => client.messages.length === 5, 5000, 'the window');
    await new Promise((r) => setTimeout(r, 200));
    expect(client.messages.map((m) => m.id)).toEqual(['4', '5', '6', '7', '8']);
    client.close();
  });

  it('events committed on another node arrive through Redis pub/sub', async () => {
    const { cookie, instanceId } = await ownInstance();
    const client = new SseClient();
    await client.open(`${base}/whatsapp/instances/${instanceId}/events`, { Cookie: cookie });
    await waitFor(() => client.comments.includes('connected'), 5000, 'stream open');
    // "Another node": its own Redis connection and channel on the same prefix.
    const otherRedis = t.redis.redis.duplicate();
    const otherNode = new RedisEventChannel(otherRedis, new RedisKeys(t.config.redisPrefix), pino({ level: 'silent' }));
    try {
      const appended = await t.events.append({ instanceId, event: 'contacts.update', data: { id: '5511988887777@s.whatsapp.net', notify: 'Maria' } });
      otherNode.notifyAppended(instanceId, appended.event.sequence);
      await waitFor(() => client.messages.length === 1, 5000, 'the event from the other node');
      expect(client.messages[0]).toMatchObject({ id: '1', event: 'contacts.update' });
    } finally {
      client.close();
      await otherNode.close();
      otherRedis.disconnect();
    }
  });

  it('cleans up on disconnect', async () => {
    const { cookie, instanceId } = await ownInstance();
    const streams = () => t.webhooks.streamCount();
    const before = streams();
    const client = new SseClient();
    await client.open(`${base}/whatsapp/instances/${instanceId}/events`, { Cookie: cookie });
    await waitFor(() => streams() === before + 1, 5000, 'stream registered');
    client.close();
    await waitFor(() => streams() === before, 5000, 'stream released');
  });
});

describe('GET /whatsapp/events (every instance of the account in one stream)', () => {
  it('carries the chosen events of each of the tenant’s instances, not other tenants’, as one stream', async () => {
    const owner = await signup(t.app);
    await t.db.dataSource.query(`UPDATE "tenants" SET "plan" = 'pro' WHERE "id" = $1`, [owner.tenantId]); // two instances
    const create = async (name: string) =>
      (await request(t.app).post('/whatsapp/instances').set('Cookie', owner.cookie).send({ name })).body.data.instanceId as string;
    const a = await create('Loja');
    const b = await create('Suporte');
    const stranger = await ownInstance();
    const streams = () => t.webhooks.streamCount();
    const before = streams();

    const client = new SseClient();
    await client.open(`${base}/whatsapp/events?events=connection.update`, { Cookie: owner.cookie });
    expect(client.status).toBe(200);
    await waitFor(() => client.comments.includes('connected'), 5000, 'stream open');
    expect(client.comments.filter((c) => c === 'connected')).toHaveLength(1); // one connection, one greeting
    expect(streams()).toBe(before + 1); // counted once against the caps

    await t.emit(a, 'presence.update', presence(1)); // filtered out
    await t.emit(stranger.instanceId, 'connection.update', { status: 'qr', reason: 'qr', phone: null }); // another tenant
    await t.emit(a, 'connection.update', { status: 'qr', reason: 'qr', phone: null });
    await t.emit(b, 'connection.update', { status: 'connected', reason: 'connected', phone: '+5511999990000' });
    await waitFor(() => client.messages.length === 2, 5000, 'both instances’ updates');
    await new Promise((r) => setTimeout(r, 200));
    expect(client.messages).toHaveLength(2);
    const bodies = client.messages.map((m) => [m.event, JSON.parse(m.data).instance.instanceId, JSON.parse(m.data).data.status]);
    expect(bodies).toEqual(
      expect.arrayContaining([
        ['connection.update', a, 'qr'],
        ['connection.update', b, 'connected'],
      ]),
    );
    client.close();
    await waitFor(() => streams() === before, 5000, 'stream released');
  });

  it('answers 400 for an unknown event name and 401 without a session', async () => {
    const { cookie } = await ownInstance();
    const bad = await request(t.app).get('/whatsapp/events?events=nope').set('Cookie', cookie);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ success: false, error: { code: expect.any(String) } });
    const anonymous = await request(t.app).get('/whatsapp/events');
    expect(anonymous.status).toBe(401);
  });
});

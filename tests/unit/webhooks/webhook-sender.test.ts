import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decideRetry, createRetryPolicy } from '../../../src/services/webhooks/retry-policy.js';
import { attemptWebhook } from '../../../src/services/webhooks/webhook-sender.js';
import { generateWebhookSecret, verifyWebhook } from '../../../src/services/webhooks/webhook-signer.js';

describe('attemptWebhook', () => {
  const secret = generateWebhookSecret();
  const received: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const answers = new Map<string, (res: http.ServerResponse) => void>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      (answers.get(req.url ?? '') ?? ((r) => r.writeHead(204).end()))(res);
    });
  });
  let base = '';
  const body = JSON.stringify({ id: 'evt_1', event: 'messages.upsert', data: { text: 'hi' } });
  const attempt = (path: string, extra: Partial<Parameters<typeof attemptWebhook>[0]> = {}) =>
    attemptWebhook({ url: `${base}${path}`, secret, eventId: 'evt_1', body, allowPrivate: true, ...extra });

  beforeAll(async () => {
    answers.set('/fail', (r) => r.writeHead(500).end('boom'));
    answers.set('/gone', (r) => r.writeHead(404).end('no such hook'));
    answers.set('/busy', (r) => r.writeHead(429, { 'retry-after': '12' }).end());
    answers.set('/moved', (r) => r.writeHead(301, { location: '/ok' }).end());
    answers.set('/chatty', (r) => r.writeHead(200).end('y'.repeat(100_000)));
    answers.set('/hang', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('posts the body, signed so the receiver can verify it', async () => {
    const result = await attempt('/ok');
    expect(result).toMatchObject({ outcome: { kind: 'response', status: 204 }, statusCode: 204, error: null });
    const last = received.at(-1)!;
    expect(last.body).toBe(body);
    expect(last.headers['content-type']).toBe('application/json');
    expect(verifyWebhook({ secret, headers: last.headers, body: last.body })).toMatchObject({ ok: true, id: 'evt_1' });
  });

  it('turns answers and failures into outcomes the retry policy understands', async () => {
    const policy = createRetryPolicy();
    const fail = await attempt('/fail');
    expect(fail).toMatchObject({ statusCode: 500, responseBody: 'boom' });
    expect(decideRetry(fail.outcome, 1, policy).action).toBe('retry');

    const gone = await attempt('/gone');
    expect(decideRetry(gone.outcome, 1, policy)).toEqual({ action: 'give_up', reason: 'non_retryable' });

    const busy = await attempt('/busy');
    expect(decideRetry(busy.outcome, 1, policy)).toEqual({ action: 'retry', delayMs: 12_000 });

    const moved = await attempt('/moved');
    expect(moved.statusCode).toBe(301);
    expect(received.filter((r) => r.url === '/ok')).toHaveLength(1);
    expect(decideRetry(moved.outcome, 1, policy).action).toBe('give_up');
  });

  it('keeps only the start of a long answer', async () => {
    const result = await attempt('/chatty', { maxResponseBytes: 1024 });
    expect(result.responseBody).toHaveLength(1024);
  });

  it('reports timeouts, refused connections and refused URLs without throwing', async () => {
    expect((await attempt('/hang', { timeoutMs: 200 })).outcome).toEqual({ kind: 'timeout' });
    const closed = await attemptWebhook({ url: 'http://127.0.0.1:1/', secret, eventId: 'e', body, allowPrivate: true });
    expect(closed.outcome).toEqual({ kind: 'network_error' });
    const refused = await attempt('/ok', { allowPrivate: false });
    expect(refused.outcome).toEqual({ kind: 'refused' });
    expect(refused.error).toMatch(/URL_NOT_ALLOWED/);
  });
});

import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { RequestFailedError, RequestTimeoutError, TooLargeError, UnsafeUrlError } from '../../../src/net/net-errors.js';
import { PinnedAgents } from '../../../src/net/pinned-agents.js';
import { mediaTypeOf, responseText, safeRequest, type SafeRequestOptions } from '../../../src/net/safe-request.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A local HTTP server whose routes the tests define; records every request it receives. */
class TestServer {
  readonly hits: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  private readonly routes = new Map<string, Handler>();
  readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      this.hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const handler = this.routes.get(req.url ?? '') ?? ((_q, r) => r.writeHead(404).end('nope'));
      handler(req, res, body);
    });
  });

  route(path: string, handler: Handler): void {
    this.routes.set(path, handler);
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('safeRequest', () => {
  const server = new TestServer();
  let base = '';
  const opts = (extra: Partial<SafeRequestOptions> = {}): SafeRequestOptions => ({
    timeoutMs: 2000,
    maxBodyBytes: 64 * 1024,
    allowPrivate: true,
    ...extra,
  });

  beforeAll(async () => {
    server.route('/ok', (_req, res) => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end('{"ok":true}'));
    server.route('/echo', (req, res, body) =>
      res.writeHead(201, { 'content-type': 'text/plain' }).end(`${req.method} ${req.headers['x-test'] ?? ''} ${body}`),
    );
    server.route('/redirect', (_req, res) => res.writeHead(302, { location: '/ok' }).end());
    server.route('/never', () => undefined);
    server.route('/slow-body', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('start');
    });
    server.route('/big-declared', (_req, res) => res.writeHead(200, { 'content-length': String(10_000) }).end('x'.repeat(10_000)));
    server.route('/big-chunked', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (let i = 0; i < 10; i += 1) res.write(Buffer.alloc(1000, i));
      res.end();
    });
    server.route('/host', (req, res) => res.writeHead(200).end(req.headers.host ?? ''));
    base = await server.start();
  });

  afterAll(() => server.stop());

  it('returns status, content type and body', async () => {
    const res = await safeRequest(`${base}/ok`, opts());
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('application/json');
    expect(responseText(res)).toBe('{"ok":true}');
    expect(res.truncated).toBe(false);
    expect(res.address).toBe('127.0.0.1');
  });

  it('sends a body with headers, as POST by default', async () => {
    const res = await safeRequest(`${base}/echo`, opts({ body: 'hello', headers: { 'x-test': 'yes' } }));
    expect(res.status).toBe(201);
    expect(responseText(res)).toBe('POST yes hello');
  });

  it('returns a redirect as it is, without following it', async () => {
    const before = server.hits.filter((h) => h.url === '/ok').length;
    const res = await safeRequest(`${base}/redirect`, opts());
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/ok');
    expect(server.hits.filter((h) => h.url === '/ok').length).toBe(before);
  });

  it('times out when the server never answers', async () => {
    const started = Date.now();
    await expect(safeRequest(`${base}/never`, opts({ timeoutMs: 300 }))).rejects.toBeInstanceOf(RequestTimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('times out the whole exchange, including a body that never ends', async () => {
    await expect(safeRequest(`${base}/slow-body`, opts({ timeoutMs: 300 }))).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' });
  });

  it('keeps only the first bytes of a large body in truncate mode', async () => {
    const res = await safeRequest(`${base}/big-chunked`, opts({ maxBodyBytes: 2500, onTooLarge: 'truncate' }));
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(2500);
    expect(res.truncated).toBe(true);
    expect(res.body[2499]).toBe(2);
  });

  it('aborts early with TooLargeError when Content-Length is over the limit', async () => {
    const err = await safeRequest(`${base}/big-declared`, opts({ maxBodyBytes: 1000 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooLargeError);
    expect(err).toMatchObject({ limitBytes: 1000, declaredBytes: 10_000 });
  });

  it('aborts with TooLargeError once a body without Content-Length passes the limit', async () => {
    const err = await safeRequest(`${base}/big-chunked`, opts({ maxBodyBytes: 4000 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooLargeError);
    expect(err).toMatchObject({ limitBytes: 4000, declaredBytes: null });
  });

  it('accepts a body exactly at the limit', async () => {
    const res = await safeRequest(`${base}/big-chunked`, opts({ maxBodyBytes: 10_000 }));
    expect(res.body.length).toBe(10_000);
  });

  it('refuses loopback without allowPrivate, before connecting', async () => {
    const hits = server.hits.length;
    await expect(safeRequest(`${base}/ok`, opts({ allowPrivate: false }))).rejects.toBeInstanceOf(UnsafeUrlError);
    await expect(safeRequest(`${base.replace('127.0.0.1', 'localhost')}/ok`, opts({ allowPrivate: false }))).rejects.toMatchObject({
      code: 'URL_NOT_ALLOWED',
    });
    expect(server.hits.length).toBe(hits);
  });

  it('connects to the vetted address only, keeping the Host header of the name', async () => {
    const port = new URL(base).port;
    let lookups = 0;
    const res = await safeRequest(`http://hooks.test:${port}/host`, {
      ...opts(),
      lookup: async () => {
        lookups += 1;
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    expect(responseText(res)).toBe(`hooks.test:${port}`);
    expect(lookups).toBe(1);
  });

  it('reports a refused connection as RequestFailedError with the cause code', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await safeRequest(`http://127.0.0.1:${port}/`, opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestFailedError);
    expect((err as RequestFailedError).causeCode).toBe('ECONNREFUSED');
  });

  it('honours an abort signal', async () => {
    const controller = new AbortController();
    const pending = safeRequest(`${base}/never`, opts({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(RequestFailedError);
  });

  it('speaks https, trusting NODE_EXTRA_CA_CERTS (the sandbox CA)', async () => {
    const tls = https.createServer(
      { cert: readFileSync('.sandbox/certs/cert.pem'), key: readFileSync('.sandbox/certs/key.pem') },
      (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([1, 2, 3])),
    );
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    try {
      const port = (tls.address() as AddressInfo).port;
      const res = await safeRequest(`https://localhost:${port}/x.png`, opts());
      expect(res.contentType).toBe('image/png');
      expect([...res.body]).toEqual([1, 2, 3]);
    } finally {
      tls.closeAllConnections();
      await new Promise<void>((resolve) => tls.close(() => resolve()));
    }
  });
});

describe('safeRequest with keep-alive pools (PinnedAgents)', () => {
  const server = new TestServer();
  const sockets = new Set<unknown>();
  let connections = 0;
  let base = '';
  const agents = new PinnedAgents();
  const opts = (extra: Partial<SafeRequestOptions> = {}): SafeRequestOptions => ({ timeoutMs: 2000, maxBodyBytes: 1024, allowPrivate: true, agents, ...extra });

  beforeAll(async () => {
    server.route('/ok', (_req, res) => res.writeHead(200).end('ok'));
    server.route('/big', (_req, res) => res.writeHead(200).end('x'.repeat(5000)));
    server.server.on('connection', (socket) => {
      connections += 1;
      sockets.add(socket);
    });
    base = await server.start();
  });
  afterAll(async () => {
    agents.close();
    await server.stop();
  });

  it('reuses one connection for sequential requests to the same vetted address, not across addresses', async () => {
    const before = connections;
    for (let i = 0; i < 5; i++) expect((await safeRequest(`${base}/ok`, opts())).status).toBe(200);
    expect(connections - before).toBe(1);
    // The same server under another name that vets to another address (127.0.0.1 vs ::ffff:127.0.0.1 is not
    // available everywhere, so: a lookup answering a different loopback address) gets its own pool.
    const port = new URL(base).port;
    const lookup = async () => [{ address: '127.0.0.2', family: 4 as const }];
    const other = await safeRequest(`http://other.test:${port}/ok`, opts({ lookup }))
      .then((r) => r.status)
      .catch((err: Error) => err.message); // 127.0.0.2 may not accept connections on every system
    expect([200, expect.stringMatching(/failed|refused/i)]).toContainEqual(other);
    expect(agents.size).toBe(2);
  });

  it('does not keep a connection whose answer was cut at the size limit', async () => {
    const before = connections;
    const cut = await safeRequest(`${base}/big`, opts({ onTooLarge: 'truncate' }));
    expect(cut.truncated).toBe(true);
    expect((await safeRequest(`${base}/ok`, opts())).status).toBe(200);
    expect(connections - before).toBeGreaterThanOrEqual(1);
  });

  it('retries once on a new connection when the server dropped the idle one', async () => {
    await safeRequest(`${base}/ok`, opts());
    // Kill the server side of every idle connection without the client noticing in time.
    for (const socket of sockets) (socket as { destroy(): void }).destroy();
    sockets.clear();
    const before = connections;
    expect((await safeRequest(`${base}/ok`, opts())).status).toBe(200);
    expect(connections - before).toBe(1);
  });
});

describe('mediaTypeOf', () => {
  it('strips parameters and lower-cases', () => {
    expect(mediaTypeOf('Image/PNG; charset=binary')).toBe('image/png');
    expect(mediaTypeOf(undefined)).toBeNull();
    expect(mediaTypeOf('')).toBeNull();
  });
});

/** A local webhook receiver for integration and e2e tests: scripted answers per path, every hit recorded. */
import http, { type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Hit {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

type Answer = (res: ServerResponse) => void;

/** A webhook receiver whose answers the test scripts per path, in turn (200 once the script runs out). */
export class Receiver {
  readonly hits: Hit[] = [];
  private readonly scripts = new Map<string, Answer[]>();
  private readonly fallback = new Map<string, Answer>();
  private server: http.Server | null = null;
  port = 0;

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The URL of `path`, answering `answers` in turn, then `then` (200 by default). */
  url(path: string, answers: Answer[] = [], then: Answer = status(200)): string {
    this.scripts.set(path, [...answers]);
    this.fallback.set(path, then);
    return `${this.base}${path}`;
  }

  hitsOf(path: string): Hit[] {
    return this.hits.filter((h) => h.path === path);
  }

  /** Listens (on the same port as before after a stop). */
  async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      const path = req.url ?? '';
      req.on('end', () => {
        this.hits.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        const answer = this.scripts.get(path)?.shift() ?? this.fallback.get(path) ?? status(200);
        answer(res);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export const status =
  (code: number, headers: Record<string, string> = {}): Answer =>
  (res) =>
    res.writeHead(code, headers).end(`answer ${code}`);

/** Never answers (the request stays in flight until the connection is closed). */
export const hang: Answer = () => {};

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pino, type Logger } from 'pino';

/** What the simulator core puts in its `media_conn` iq answer. */
export interface MediaConnInfo {
  auth: string;
  /** Seconds Baileys may reuse this answer before asking again. */
  ttl: number;
  hosts: Array<{ hostname: string; maxContentLengthBytes: number }>;
}

/** One encrypted blob held by the server (an upload from a device, or one the simulator stored itself). */
export interface StoredMedia {
  /** Path segment after /mms/ (or /product/, /pps/) of the upload, or the type the simulator stored it as. */
  pathType: string;
  /** The encrypted file followed by its 10-byte mac, exactly as uploaded. */
  data: Buffer;
  /** Base64 of SHA-256 over `data` (a message's fileEncSha256). */
  encSha256B64: string;
  directPath: string;
  url: string;
  storedAt: number;
}

/** The lookup the simulator core and media-crypto use; MediaServer implements it. */
export interface MediaBlobStore {
  storeBlob(pathType: string, data: Buffer): StoredMedia;
  getUpload(directPathOrUrl: string): StoredMedia | undefined;
}

export interface MediaServerOptions {
  /** PEM server certificate and key (from ensureCertificates). */
  certPem: string;
  keyPem: string;
  /** Listen address, also the host advertised in media_conn. Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Upload auth token. Default: random. */
  auth?: string;
  /** media_conn ttl in seconds. Default 300. */
  ttlSeconds?: number;
  /** Per-upload limit, advertised in media_conn and enforced (413). Default 100 MiB. */
  maxContentLengthBytes?: number;
  /** Oldest blobs are dropped once the total held exceeds this. Default 512 MiB. */
  maxStoredBytes?: number;
  logger?: Logger;
}

const UPLOAD_PATH = /^\/(mms|product|pps)\/([a-z0-9-]+)\/([A-Za-z0-9_-]+)$/;
const DEFAULT_MAX_CONTENT = 100 * 1024 * 1024;
const DEFAULT_MAX_STORED = 512 * 1024 * 1024;

/**
 * WhatsApp's media host, locally: Baileys uploads encrypted media with `POST /mms/{type}/{encSha256}?auth&token`
 * and downloads it from the returned direct path; the simulator stores its own blobs (contact media,
 * history-sync payloads) the same way. Blobs are held in memory.
 */
export class MediaServer implements MediaBlobStore {
  private readonly server: Server;
  private readonly log: Logger;
  private readonly blobs = new Map<string, StoredMedia>();
  private readonly sockets = new Set<Socket>();
  private readonly host: string;
  private readonly authToken: string;
  private readonly ttlSeconds: number;
  private readonly maxContentLength: number;
  private readonly maxStoredBytes: number;
  private storedBytes = 0;
  private listening = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: MediaServerOptions) {
    this.log = options.logger ?? pino({ level: 'silent' });
    this.host = options.host ?? '127.0.0.1';
    this.authToken = options.auth ?? randomBytes(24).toString('base64');
    this.ttlSeconds = options.ttlSeconds ?? 300;
    this.maxContentLength = options.maxContentLengthBytes ?? DEFAULT_MAX_CONTENT;
    this.maxStoredBytes = options.maxStoredBytes ?? DEFAULT_MAX_STORED;
    this.server = createServer({ cert: options.certPem, key: options.keyPem }, (req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.log.error({ err, method: req.method, url: req.url }, 'media request failed');
        if (!res.headersSent) this.json(res, 500, { error: 'internal error' });
        else res.destroy();
      });
    });
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** Starts listening; resolves once the port is known. */
  async start(): Promise<this> {
    if (this.listening) return this;
    this.server.listen(this.options.port ?? 0, this.host);
    await once(this.server, 'listening');
    this.listening = true;
    this.log.info({ origin: this.origin }, 'media server listening');
    return this;
  }

  get port(): number {
    const address = this.server.address() as AddressInfo | null;
    if (!address) throw new Error('media server is not listening');
    return address.port;
  }

  /** `host:port`, as Baileys expects it in media_conn (it prefixes https://). */
  get hostname(): string {
    return `${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  get origin(): string {
    return `https://${this.hostname}`;
  }

  mediaConnInfo(): MediaConnInfo {
    return {
      auth: this.authToken,
      ttl: this.ttlSeconds,
      hosts: [{ hostname: this.hostname, maxContentLengthBytes: this.maxContentLength }],
    };
  }

  /** Stores an encrypted blob (file + mac) as if it had been uploaded; returns where it is served. */
  storeBlob(pathType: string, data: Buffer): StoredMedia {
    const id = randomBytes(16).toString('hex');
    // WhatsApp's direct paths look like /v/t62.7118-24/<id>.enc?ccb=11-4&oh=..&oe=..
    const directPath = `/v/t62.7118-24/${id}.enc?ccb=11-4`;
    const media: StoredMedia = {
      pathType,
      data,
      encSha256B64: createHash('sha256').update(data).digest('base64'),
      directPath,
      url: `${this.origin}${directPath}&mms3=true`,
      storedAt: Date.now(),
    };
    this.blobs.set(`/v/t62.7118-24/${id}.enc`, media);
    this.storedBytes += data.length;
    this.evict();
    return media;
  }

  /** The blob behind a direct path or a full media URL (any host), or undefined. */
  getUpload(directPathOrUrl: string): StoredMedia | undefined {
    let pathname: string;
    try {
      pathname = new URL(directPathOrUrl, 'https://media.invalid').pathname;
    } catch {
      return undefined;
    }
    return this.blobs.get(pathname);
  }

  /** Stops accepting connections, ends open ones and drops the blobs. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.listening) {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const socket of this.sockets) {
        try {
          socket.destroy();
        } catch (err) {
          this.log.warn({ err }, 'destroying a media socket failed');
        }
      }
      await closed;
      this.listening = false;
    }
    this.blobs.clear();
    this.storedBytes = 0;
  }

  private evict(): void {
    for (const [key, media] of this.blobs) {
      if (this.storedBytes <= this.maxStoredBytes) break;
      this.blobs.delete(key);
      this.storedBytes -= media.data.length;
      this.log.debug({ directPath: media.directPath }, 'media blob evicted');
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://media.invalid');
    if (req.method === 'POST') {
      const match = UPLOAD_PATH.exec(url.pathname);
      if (!match) return this.json(res, 404, { error: 'not found' });
      return this.upload(req, res, url, match[2]!, match[3]!);
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      const media = this.blobs.get(url.pathname);
      if (!media) return this.json(res, 404, { error: 'not found' });
      return this.download(req, res, media);
    }
    res.setHeader('Allow', 'GET, HEAD, POST');
    this.json(res, 405, { error: 'method not allowed' });
  }

  private async upload(req: IncomingMessage, res: ServerResponse, url: URL, pathType: string, hash: string) {
    if (!this.authorized(url.searchParams.get('auth'))) {
      req.resume();
      return this.json(res, 401, { error: 'bad auth' });
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.maxContentLength) {
      req.resume();
      return this.json(res, 413, { error: 'too large' });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > this.maxContentLength) return this.json(res, 413, { error: 'too large' });
      chunks.push(chunk);
    }
    const data = Buffer.concat(chunks);
    const actual = createHash('sha256').update(data).digest('base64url');
    if (actual !== hash) {
      this.log.warn({ pathType, expected: hash, actual }, 'upload hash mismatch');
      return this.json(res, 400, { error: 'hash mismatch' });
    }
    const media = this.storeBlob(pathType, data);
    this.log.debug({ pathType, size, directPath: media.directPath }, 'media uploaded');
    this.json(res, 200, { url: media.url, direct_path: media.directPath });
  }

  private download(req: IncomingMessage, res: ServerResponse, media: StoredMedia): void {
    const total = media.data.length;
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    let start = 0;
    let end = total - 1;
    if (range && (range[1] || range[2])) {
      if (range[1]) {
        start = Number(range[1]);
        end = range[2] ? Math.min(Number(range[2]), total - 1) : total - 1;
      } else {
        start = Math.max(total - Number(range[2]), 0);
      }
      if (start > end || start >= total) {
        res.writeHead(416, { 'Content-Range': `bytes */${total}` });
        res.end();
        return;
      }
      res.writeHead(206, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': end - start + 1,
        'Content-Range': `bytes ${start}-${end}/${total}`,
        'Accept-Ranges': 'bytes',
      });
    } else {
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': total,
        'Accept-Ranges': 'bytes',
      });
    }
    res.end(req.method === 'HEAD' ? undefined : media.data.subarray(start, end + 1));
  }

  private authorized(auth: string | null): boolean {
    if (auth === null) return false;
    const given = Buffer.from(auth);
    const expected = Buffer.from(this.authToken);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    const payload = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
    res.end(payload);
  }
}

/** Creates a MediaServer and starts it. */
export async function startMediaServer(options: MediaServerOptions): Promise<MediaServer> {
  return new MediaServer(options).start();
}

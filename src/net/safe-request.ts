import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { vetUrl, type HostLookup, type VettedUrl } from './url-guard.js';
import { NetError, RequestFailedError, RequestTimeoutError, TooLargeError } from './net-errors.js';
import type { PinnedAgents } from './pinned-agents.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface SafeRequestOptions {
  method?: HttpMethod;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Limit for the whole request: connect, send, response headers and body. */
  timeoutMs: number;
  /** Largest response body read, in bytes. */
  maxBodyBytes: number;
  /**
   * What to do with a larger body: `truncate` keeps the first `maxBodyBytes` and reports `truncated` (webhook
   * answers); `error` aborts with TooLargeError, early when Content-Length already says so (media downloads).
   */
  onTooLarge?: 'truncate' | 'error';
  allowPrivate?: boolean;
  lookup?: HostLookup;
  signal?: AbortSignal;
  /** Keep-alive pools (per vetted address) to reuse connections; without, each request opens its own. */
  agents?: PinnedAgents;
}

export interface SafeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The media type without parameters, lower-cased (`image/png`), or null when absent. */
  contentType: string | null;
  body: Buffer;
  /** True when the body was cut at `maxBodyBytes` (only with `onTooLarge: 'truncate'`). */
  truncated: boolean;
  /** The address the request was pinned to. */
  address: string;
}

/** The body as UTF-8 text (invalid sequences replaced). */
export function responseText(response: Pick<SafeResponse, 'body'>): string {
  return response.body.toString('utf8');
}

/** Parses the media type out of a Content-Type header value. */
export function mediaTypeOf(header: string | undefined): string | null {
  if (!header) return null;
  const type = header.split(';')[0]?.trim().toLowerCase();
  return type ? type : null;
}

/** A `lookup` for http.request that always answers with the vetted address (handles `all: true` from autoSelectFamily). */
function pinnedLookup(vetted: VettedUrl): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) {
      (callback as unknown as (err: null, addresses: { address: string; family: number }[]) => void)(null, [
        { address: vetted.address, family: vetted.family },
      ]);
    } else {
      callback(null, vetted.address, vetted.family);
    }
  };
}

/**
 * The one outbound HTTP call: vets the URL (see url-guard), connects to the vetted address only, never follows
 * redirects (a 3xx is returned as it is, with its `location` header), enforces a timeout on the whole exchange
 * and a limit on the body. Throws UnsafeUrlError, HostResolutionError, RequestTimeoutError, RequestFailedError or
 * TooLargeError; any HTTP status is a normal response.
 */
export async function safeRequest(rawUrl: string | URL, options: SafeRequestOptions): Promise<SafeResponse> {
  const started = Date.now();
  const vetted = await withTimeout(vetUrl(rawUrl, { allowPrivate: options.allowPrivate, lookup: options.lookup }), options.timeoutMs);
  const remaining = () => Math.max(1, options.timeoutMs - (Date.now() - started));
  try {
    return await send(vetted, options, remaining());
  } catch (err) {
    // A pooled connection the server closed while it sat idle fails before any answer: once more, on a new one.
    if (!(err instanceof StaleConnectionError)) throw err;
    return send(vetted, { ...options, agents: undefined }, remaining());
  }
}

/** A request on a reused keep-alive socket that the server had closed (reset before any response). */
class StaleConnectionError extends RequestFailedError {}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RequestTimeoutError(timeoutMs)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function send(vetted: VettedUrl, options: SafeRequestOptions, timeoutMs: number): Promise<SafeResponse> {
  const { url } = vetted;
  const transport = url.protocol === 'https:' ? https : http;
  const method = options.method ?? (options.body !== undefined ? 'POST' : 'GET');
  const onTooLarge = options.onTooLarge ?? 'error';
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));

  return new Promise<SafeResponse>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null, value?: SafeResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (err) {
        request.destroy();
        reject(err);
      } else {
        resolve(value as SafeResponse);
      }
    };
    const timer = setTimeout(() => finish(new RequestTimeoutError(options.timeoutMs)), timeoutMs);
    const onAbort = (): void => finish(new RequestFailedError('request aborted', { cause: options.signal?.reason }));

    const request = transport.request(
      {
        protocol: url.protocol,
        hostname: vetted.hostname,
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method,
        headers,
        lookup: pinnedLookup(vetted),
        agent: options.agents ? options.agents.agentFor(vetted) : false,
      },
      (response) => readBody(response, vetted, options.maxBodyBytes, onTooLarge, finish),
    );
    request.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof NetError) return finish(err);
      const message = `request to ${vetted.hostname} failed: ${err.message}`;
      const stale = request.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
      finish(stale ? new StaleConnectionError(message, { cause: err }) : new RequestFailedError(message, { cause: err }));
    });
    if (options.signal) {
      if (options.signal.aborted) return onAbort();
      options.signal.addEventListener('abort', onAbort, { once: true });
    }
    request.end(options.body);
  });
}

function readBody(
  response: IncomingMessage,
  vetted: VettedUrl,
  maxBodyBytes: number,
  onTooLarge: 'truncate' | 'error',
  finish: (err: Error | null, value?: SafeResponse) => void,
): void {
  const declared = response.headers['content-length'] !== undefined ? Number(response.headers['content-length']) : null;
  const result = (body: Buffer, truncated: boolean): SafeResponse => ({
    status: response.statusCode ?? 0,
    headers: response.headers,
    contentType: mediaTypeOf(response.headers['content-type']),
    body,
    truncated,
    address: vetted.address,
  });
  if (onTooLarge === 'error' && declared !== null && Number.isFinite(declared) && declared > maxBodyBytes) {
    finish(new TooLargeError(maxBodyBytes, declared));
    response.destroy();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  response.on('data', (chunk: Buffer) => {
    if (size + chunk.length > maxBodyBytes) {
      if (onTooLarge === 'error') {
        finish(new TooLargeError(maxBodyBytes, null));
        response.destroy();
        return;
      }
      chunks.push(chunk.subarray(0, maxBodyBytes - size));
      size = maxBodyBytes;
      finish(null, result(Buffer.concat(chunks, size), true));
      response.destroy();
      return;
    }
    chunks.push(chunk);
    size += chunk.length;
  });
  response.on('end', () => finish(null, result(Buffer.concat(chunks, size), false)));
  response.on('error', (err) => finish(new RequestFailedError(`reading the response failed: ${err.message}`, { cause: err })));
  response.on('aborted', () => finish(new RequestFailedError('the server closed the connection mid-response')));
}

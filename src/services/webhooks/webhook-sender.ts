import { HostResolutionError, RequestFailedError, RequestTimeoutError, UnsafeUrlError } from '../../net/net-errors.js';
import { responseText, safeRequest } from '../../net/safe-request.js';
import type { PinnedAgents } from '../../net/pinned-agents.js';
import type { HostLookup } from '../../net/url-guard.js';
import type { AttemptOutcome } from './retry-policy.js';
import { signWebhook } from './webhook-signer.js';

export interface WebhookAttemptInput {
  url: string;
  secret: string;
  /** The event id (X-Webhook-Id), the same on every retry. */
  eventId: string;
  /** The exact JSON body; it is what gets signed. */
  body: string;
  timeoutMs?: number;
  maxResponseBytes?: number;
  allowPrivate?: boolean;
  lookup?: HostLookup;
  userAgent?: string;
  nowSeconds?: number;
  /** Aborts the attempt (shutdown); it then counts as a network error. */
  signal?: AbortSignal;
  /** Keep-alive pools to reuse connections to receivers. */
  agents?: PinnedAgents;
}

/** What one webhook attempt did, ready for the delivery log and for decideRetry. */
export interface WebhookAttemptResult {
  outcome: AttemptOutcome;
  /** The receiver's status, null when no response came. */
  statusCode: number | null;
  /** The start of the receiver's answer (text, at most maxResponseBytes). */
  responseBody: string | null;
  /** Why the attempt did not get a response, or a short description of a refused URL. */
  error: string | null;
  durationMs: number;
}

/**
 * Sends one signed webhook request (POST, JSON) through safeRequest: no redirects followed, answer read up to a
 * small limit, 10 s timeout by default. Never throws for delivery problems: they become the outcome.
 */
export async function attemptWebhook(input: WebhookAttemptInput): Promise<WebhookAttemptResult> {
  const started = Date.now();
  const headers = {
    'content-type': 'application/json',
    'user-agent': input.userAgent ?? 'ZapEngine-Webhooks/1',
    ...signWebhook({ secret: input.secret, id: input.eventId, body: input.body, timestampSeconds: input.nowSeconds }),
  };
  const elapsed = () => Date.now() - started;
  try {
    const response = await safeRequest(input.url, {
      method: 'POST',
      headers,
      body: input.body,
      timeoutMs: input.timeoutMs ?? 10_000,
      maxBodyBytes: input.maxResponseBytes ?? 64 * 1024,
      onTooLarge: 'truncate',
      allowPrivate: input.allowPrivate,
      lookup: input.lookup,
      signal: input.signal,
      agents: input.agents,
    });
    const retryAfter = response.headers['retry-after'];
    return {
      outcome: { kind: 'response', status: response.status, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter },
      statusCode: response.status,
      responseBody: responseText(response),
      error: null,
      durationMs: elapsed(),
    };
  } catch (err) {
    const failed = (outcome: AttemptOutcome, error: string): WebhookAttemptResult => ({
      outcome,
      statusCode: null,
      responseBody: null,
      error,
      durationMs: elapsed(),
    });
    if (err instanceof UnsafeUrlError) return failed({ kind: 'refused' }, `${err.code}: ${err.message}`);
    if (err instanceof RequestTimeoutError) return failed({ kind: 'timeout' }, err.message);
    if (err instanceof HostResolutionError || err instanceof RequestFailedError) return failed({ kind: 'network_error' }, err.message);
    throw err;
  }
}

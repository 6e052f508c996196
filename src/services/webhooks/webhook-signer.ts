import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Header names on every webhook request (HTTP header names are case-insensitive; receivers may see them lower-cased). */
export const WEBHOOK_HEADERS = {
  id: 'X-Webhook-Id',
  timestamp: 'X-Webhook-Timestamp',
  signature: 'X-Webhook-Signature',
} as const;

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
const SIGNATURE_PREFIX = 'sha256=';

/** A new webhook secret: `whsec_` + 32 random bytes, base64url. The whole string (prefix included) is the HMAC key. */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`. */
export function computeWebhookSignature(secret: string, timestampSeconds: number, rawBody: string | Buffer): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${timestampSeconds}.`);
  hmac.update(rawBody);
  return `${SIGNATURE_PREFIX}${hmac.digest('hex')}`;
}

export interface SignWebhookInput {
  secret: string;
  /** The event id, the same on every retry, so receivers can drop duplicates. */
  id: string;
  /** The exact bytes that will be sent. */
  body: string | Buffer;
  /** Unix seconds; defaults to now. Each attempt signs with its own time. */
  timestampSeconds?: number;
}

/** The three signature headers for one delivery attempt. */
export function signWebhook(input: SignWebhookInput): Record<string, string> {
  const timestamp = input.timestampSeconds ?? Math.floor(Date.now() / 1000);
  return {
    [WEBHOOK_HEADERS.id]: input.id,
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
    [WEBHOOK_HEADERS.signature]: computeWebhookSignature(input.secret, timestamp, input.body),
  };
}

export type WebhookVerifyFailure = 'missing_header' | 'bad_timestamp' | 'timestamp_out_of_tolerance' | 'bad_signature';

export type WebhookVerifyResult = { ok: true; id: string; timestampSeconds: number } | { ok: false; reason: WebhookVerifyFailure };

export interface VerifyWebhookInput {
  secret: string;
  /** Request headers, any case (a Node `IncomingHttpHeaders` works as is). */
  headers: Record<string, string | string[] | undefined>;
  body: string | Buffer;
  /** Largest accepted clock difference in seconds, both ways (default 300). */
  toleranceSeconds?: number;
  nowSeconds?: number;
}

function header(headers: VerifyWebhookInput['headers'], name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** Checks a received webhook: headers present, timestamp within tolerance, signature equal in constant time. */
export function verifyWebhook(input: VerifyWebhookInput): WebhookVerifyResult {
  const id = header(input.headers, WEBHOOK_HEADERS.id);
  const timestampText = header(input.headers, WEBHOOK_HEADERS.timestamp);
  const signature = header(input.headers, WEBHOOK_HEADERS.signature);
  if (!id || !timestampText || !signature) return { ok: false, reason: 'missing_header' };
  if (!/^\d{1,12}$/.test(timestampText)) return { ok: false, reason: 'bad_timestamp' };
  const timestampSeconds = Number(timestampText);
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestampSeconds) > (input.toleranceSeconds ?? 300)) {
    return { ok: false, reason: 'timestamp_out_of_tolerance' };
  }
  const expected = Buffer.from(computeWebhookSignature(input.secret, timestampSeconds, input.body));
  const received = Buffer.from(signature.trim());
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    return { ok: false, reason: 'bad_signature' };
  }
  return { ok: true, id, timestampSeconds };
}

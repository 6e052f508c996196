import { createHmac } from 'node:crypto';
import {
  computeWebhookSignature,
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
  WEBHOOK_HEADERS,
} from '../../../src/services/webhooks/webhook-signer.js';

describe('webhook signer', () => {
  const secret = generateWebhookSecret();
  const body = JSON.stringify({ event: 'messages.upsert', data: { text: 'olá' } });
  const now = 1_767_225_600;

  it('generates distinct whsec_ secrets with 256 bits of randomness', () => {
    const other = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(other).not.toBe(secret);
  });

  it('signs "<timestamp>.<raw body>" with HMAC-SHA256, as a receiver would recompute it', () => {
    const headers = signWebhook({ secret, id: 'evt_1', body, timestampSeconds: now });
    const expected = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex');
    expect(headers).toEqual({
      [WEBHOOK_HEADERS.id]: 'evt_1',
      [WEBHOOK_HEADERS.timestamp]: String(now),
      [WEBHOOK_HEADERS.signature]: `sha256=${expected}`,
    });
    expect(computeWebhookSignature(secret, now, Buffer.from(body))).toBe(`sha256=${expected}`);
  });

  it('verifies its own signature, with headers in any case', () => {
    const signed = signWebhook({ secret, id: 'evt_2', body, timestampSeconds: now });
    const lower = Object.fromEntries(Object.entries(signed).map(([k, v]) => [k.toLowerCase(), v]));
    expect(verifyWebhook({ secret, headers: lower, body, nowSeconds: now + 10 })).toEqual({ ok: true, id: 'evt_2', timestampSeconds: now });
  });

  it('refuses a tampered body, a wrong secret, a changed timestamp or a mangled signature', () => {
    const headers = signWebhook({ secret, id: 'evt_3', body, timestampSeconds: now });
    const check = (h: Record<string, string>, b = body, s = secret) => verifyWebhook({ secret: s, headers: h, body: b, nowSeconds: now });
    expect(check(headers, body.replace('olá', 'ola'))).toEqual({ ok: false, reason: 'bad_signature' });
    expect(check(headers, body, generateWebhookSecret())).toEqual({ ok: false, reason: 'bad_signature' });
    expect(check({ ...headers, [WEBHOOK_HEADERS.timestamp]: String(now + 1) })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(check({ ...headers, [WEBHOOK_HEADERS.signature]: 'sha256=abc' })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses missing headers and timestamps outside the tolerance window', () => {
    const headers = signWebhook({ secret, id: 'evt_4', body, timestampSeconds: now });
    const { [WEBHOOK_HEADERS.signature]: _dropped, ...unsigned } = headers;
    expect(verifyWebhook({ secret, headers: unsigned, body, nowSeconds: now })).toEqual({ ok: false, reason: 'missing_header' });
    expect(verifyWebhook({ secret, headers, body, nowSeconds: now + 301 })).toEqual({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(verifyWebhook({ secret, headers, body, nowSeconds: now - 301 })).toEqual({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(verifyWebhook({ secret, headers, body, nowSeconds: now + 3600, toleranceSeconds: 3600 }).ok).toBe(true);
    expect(verifyWebhook({ secret, headers: { ...headers, [WEBHOOK_HEADERS.timestamp]: '12x' }, body, nowSeconds: now })).toEqual({
      ok: false,
      reason: 'bad_timestamp',
    });
  });
});

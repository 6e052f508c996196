import {
  backoffDelayMs,
  classifyOutcome,
  createRetryPolicy,
  decideRetry,
  parseRetryAfter,
  type AttemptOutcome,
} from '../../../src/services/webhooks/retry-policy.js';

const status = (s: number, retryAfter?: string): AttemptOutcome => ({ kind: 'response', status: s, retryAfter });

describe('retry policy', () => {
  const policy = createRetryPolicy();

  it.each([
    [status(200), 'success'],
    [status(204), 'success'],
    [status(299), 'success'],
    [status(301), 'permanent'],
    [status(400), 'permanent'],
    [status(401), 'permanent'],
    [status(404), 'permanent'],
    [status(410), 'permanent'],
    [status(413), 'permanent'],
    [status(408), 'retryable'],
    [status(429), 'retryable'],
    [status(500), 'retryable'],
    [status(502), 'retryable'],
    [status(503), 'retryable'],
    [status(599), 'retryable'],
    [{ kind: 'timeout' }, 'retryable'],
    [{ kind: 'network_error' }, 'retryable'],
    [{ kind: 'refused' }, 'permanent'],
  ] as [AttemptOutcome, string][])('%j is %s', (outcome, expected) => {
    expect(classifyOutcome(outcome)).toBe(expected);
  });

  it('defaults to 10 attempts whose average total wait is about an hour', () => {
    expect(policy.maxAttempts).toBe(10);
    let ceilings = 0;
    for (let retry = 1; retry < policy.maxAttempts; retry += 1) ceilings += backoffDelayMs(retry, policy, () => 0.999_999);
    const averageMinutes = ceilings / 2 / 60_000;
    expect(averageMinutes).toBeGreaterThan(45);
    expect(averageMinutes).toBeLessThan(75);
  });

  it('grows exponentially with full jitter, capped', () => {
    const p = createRetryPolicy({ baseDelayMs: 1000, maxDelayMs: 10_000 });
    expect(backoffDelayMs(1, p, () => 0.999_999)).toBe(1000);
    expect(backoffDelayMs(2, p, () => 0.999_999)).toBe(2000);
    expect(backoffDelayMs(3, p, () => 0.999_999)).toBe(4000);
    expect(backoffDelayMs(10, p, () => 0.999_999)).toBe(10_000);
    expect(backoffDelayMs(3, p, () => 0)).toBe(0);
    expect(backoffDelayMs(3, p, () => 0.5)).toBe(2000);
    for (let i = 0; i < 100; i += 1) {
      const d = backoffDelayMs(4, p);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(8000);
    }
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter('1.5', now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });

  it('decides: success, retry with backoff, stop on other 4xx, give up after the last attempt', () => {
    const random = () => 0.5;
    expect(decideRetry(status(200), 1, policy)).toEqual({ action: 'success' });
    expect(decideRetry(status(500), 1, policy, { random })).toEqual({ action: 'retry', delayMs: 15_000 });
    expect(decideRetry({ kind: 'timeout' }, 2, policy, { random })).toEqual({ action: 'retry', delayMs: 30_000 });
    expect(decideRetry(status(404), 1, policy)).toEqual({ action: 'give_up', reason: 'non_retryable' });
    expect(decideRetry(status(503), 10, policy)).toEqual({ action: 'give_up', reason: 'attempts_exhausted' });
    expect(decideRetry(status(503), 9, policy, { random }).action).toBe('retry');
  });

  it('honours Retry-After on retryable answers, capped', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(decideRetry(status(429, '7'), 1, policy, { nowMs: now })).toEqual({ action: 'retry', delayMs: 7000 });
    expect(decideRetry(status(503, 'Thu, 01 Jan 2026 00:00:20 GMT'), 1, policy, { nowMs: now })).toEqual({ action: 'retry', delayMs: 20_000 });
    expect(decideRetry(status(503, '999999'), 1, policy, { nowMs: now })).toEqual({ action: 'retry', delayMs: 60 * 60_000 });
    expect(decideRetry(status(400, '5'), 1, policy, { nowMs: now })).toEqual({ action: 'give_up', reason: 'non_retryable' });
  });

  it('validates its configuration', () => {
    expect(() => createRetryPolicy({ maxAttempts: 0 })).toThrow();
    expect(createRetryPolicy({ maxAttempts: 3 }).maxAttempts).toBe(3);
  });
});

import { z } from 'zod';

/** How webhook deliveries are retried. Defaults: 10 attempts, full-jitter delays averaging about an hour in total. */
export const retryPolicySchema = z.object({
  /** Attempts in total, the first one included. */
  maxAttempts: z.number().int().min(1).max(100).default(10),
  /** Ceiling of the first retry delay; doubles each retry. */
  baseDelayMs: z.number().int().min(1).default(30_000),
  /** Largest ceiling of one delay. */
  maxDelayMs: z.number().int().min(1).default(30 * 60_000),
  /** A receiver's Retry-After is honoured up to this. */
  maxRetryAfterMs: z.number().int().min(0).default(60 * 60_000),
});

export type RetryPolicy = z.infer<typeof retryPolicySchema>;
export type RetryPolicyInput = z.input<typeof retryPolicySchema>;

export function createRetryPolicy(input: RetryPolicyInput = {}): RetryPolicy {
  return retryPolicySchema.parse(input);
}

/** What one delivery attempt produced. */
export type AttemptOutcome =
  | { kind: 'response'; status: number; retryAfter?: string | null }
  | { kind: 'timeout' }
  | { kind: 'network_error' }
  /** The URL was refused by the URL guard (private address, bad scheme): retrying cannot help. */
  | { kind: 'refused' };

export type OutcomeClass = 'success' | 'retryable' | 'permanent';

export type RetryDecision =
  | { action: 'success' }
  | { action: 'retry'; delayMs: number }
  | { action: 'give_up'; reason: 'non_retryable' | 'attempts_exhausted' };

/** 2xx succeed; 408, 429, 5xx, timeouts and network errors are retried; other statuses and refused URLs stop. */
export function classifyOutcome(outcome: AttemptOutcome): OutcomeClass {
  switch (outcome.kind) {
    case 'timeout':
    case 'network_error':
      return 'retryable';
    case 'refused':
      return 'permanent';
    case 'response': {
      const { status } = outcome;
      if (status >= 200 && status < 300) return 'success';
      if (status === 408 || status === 429 || (status >= 500 && status < 600)) return 'retryable';
      return 'permanent';
    }
  }
}

/** Retry-After in ms: delta-seconds or an HTTP date (relative to `nowMs`); null when absent or unparseable. Never negative. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return null;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - nowMs);
}

/** Full-jitter exponential delay before retry number `retry` (1 = the first retry): uniform in [0, min(max, base·2^(retry-1))]. */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(retry - 1, 40));
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  return Math.floor(random() * (ceiling + 1));
}

export interface DecideOptions {
  nowMs?: number;
  random?: () => number;
}

/**
 * What to do after attempt number `attemptsMade` (1-based, this attempt included). A retryable outcome waits the
 * receiver's Retry-After when given (capped at `maxRetryAfterMs`), else the jittered backoff.
 */
export function decideRetry(
  outcome: AttemptOutcome,
  attemptsMade: number,
  policy: RetryPolicy,
  options: DecideOptions = {},
): RetryDecision {
  const verdict = classifyOutcome(outcome);
  if (verdict === 'success') return { action: 'success' };
  if (verdict === 'permanent') return { action: 'give_up', reason: 'non_retryable' };
  if (attemptsMade >= policy.maxAttempts) return { action: 'give_up', reason: 'attempts_exhausted' };
  const retryAfter = outcome.kind === 'response' ? parseRetryAfter(outcome.retryAfter, options.nowMs) : null;
  const delayMs =
    retryAfter !== null ? Math.min(retryAfter, policy.maxRetryAfterMs) : backoffDelayMs(attemptsMade, policy, options.random);
  return { action: 'retry', delayMs };
}

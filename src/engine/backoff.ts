export interface BackoffOptions {
  /** First delay ceiling in ms (default 1000). */
  baseMs?: number;
  /** Largest delay ceiling in ms (default 60000). */
  capMs?: number;
  /** Random source in [0, 1), injectable for tests (default Math.random). */
  random?: () => number;
}

/**
 * Exponential backoff with full jitter (AWS architecture blog): the delay of attempt n
 * (1-based) is uniform in [0, min(cap, base * 2^(n-1))).
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 1000;
  const cap = options.capMs ?? 60_000;
  const random = options.random ?? Math.random;
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  const ceiling = Math.min(cap, base * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

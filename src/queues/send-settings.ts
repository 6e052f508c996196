import { z } from 'zod';

/** Tuning of the per-instance send pipeline. main.ts builds it from the environment. */
export const sendSettingsSchema = z.object({
  /**
   * Send lanes: BullMQ queues `send.s0`...; each instance hashes to one. Every node that sends runs one Worker (one
   * blocking Redis connection) per lane, whatever the number of instances. Changing it strands pending jobs of the
   * lanes that go away: keep it fixed for a deployment.
   */
  lanes: z.number().int().min(1).max(64).default(4),
  /**
   * Jobs a lane Worker holds at once: sending (different instances; one instance never has two sends in flight) or
   * fetched and waiting in the process for their instance's turn. Past half of it, a job with many tickets ahead is
   * parked in the delayed set instead, so the lane still reaches other instances' jobs.
   */
  laneConcurrency: z.number().int().min(1).max(10_000).default(512),
  /** Per-instance pacing (BullMQ limiter): at most `max` messages per `durationMs`; null turns pacing off. */
  rateLimit: z
    .object({ max: z.number().int().min(1), durationMs: z.number().int().min(1) })
    .nullable()
    .default({ max: 1, durationMs: 1000 }),
  /** How long a job waits for a disconnected instance before failing with `instance_not_connected`. */
  notConnectedMaxWaitMs: z.number().int().min(0).default(5 * 60_000),
  /** How often a waiting job re-checks the connection. */
  notConnectedRecheckMs: z.number().int().min(10).default(1000),
  /** Attempts for transient failures, the first included; then the message fails with `send_failed`. */
  maxAttempts: z.number().int().min(1).default(5),
  /** Backoff between transient attempts: full jitter, ceiling base·2^(n-1), capped. */
  backoffBaseMs: z.number().int().min(1).default(1000),
  backoffMaxMs: z.number().int().min(1).default(60_000),
  /** How long finished jobs stay (their id keeps a duplicate enqueue a no-op for that long). */
  keepCompletedSeconds: z.number().int().min(0).default(24 * 3600),
  keepFailedSeconds: z.number().int().min(0).default(7 * 24 * 3600),
});

export type SendSettings = z.infer<typeof sendSettingsSchema>;
export type SendSettingsInput = z.input<typeof sendSettingsSchema>;

/** Full-jitter delay before retry `n` (1-based), uniform in [0, min(max, base·2^(n-1))]. */
export function sendBackoffMs(retry: number, settings: Pick<SendSettings, 'backoffBaseMs' | 'backoffMaxMs'>, random = Math.random): number {
  const ceiling = Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** Math.max(0, Math.min(retry - 1, 30)));
  return Math.floor(random() * (ceiling + 1));
}

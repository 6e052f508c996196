import { hostname } from 'node:os';
import { z } from 'zod';

/** Strict booleans: only "true"/"false"/"1"/"0" are accepted. */
const boolText = z.enum(['true', 'false', '1', '0'], { message: 'must be one of true, false, 1, 0' });
const bool = (fallback: boolean) => boolText.default(fallback ? 'true' : 'false').transform((v) => v === 'true' || v === '1');
/** A strict boolean whose default depends on other settings: undefined when unset. */
const optionalBool = () => boolText.optional().transform((v) => (v === undefined ? undefined : v === 'true' || v === '1'));

const int = (fallback: number, min = 0) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int({ message: 'must be a whole number' })
    .min(min, { message: `must be at least ${min}` })
    .default(fallback);

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL (${protocols.join(' or ')})` },
  );

/**
 * The one schema for every environment variable the service reads.
 * Later issues find their settings here already (engine, messaging, webhooks).
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: int(3000, 0).pipe(z.number().max(65535, { message: 'must be at most 65535' })),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Unset: on outside production, off in production (see Config.sourceMaps). */
  SOURCE_MAPS: optionalBool(),
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://root@127.0.0.1:5432/zap_engine'),
  DATABASE_PREPARED_STATEMENTS: bool(true),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - only')
    .default('zap'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ENCRYPTION_KEY: z.string().optional(),
  SESSION_TTL_SECONDS: int(7 * 24 * 3600, 60),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  ROLE: z.enum(['api', 'worker', 'all']).default('all'),
  /**
   * Stable across restarts (the hostname by default): a restarted process takes its previous life's sockets back at
   * once, and a second live process with the same NODE_ID is refused at start-up.
   */
  NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'letters, digits and _ . : - only')
    .default(hostname()),
  /**
   * How soon a killed process counts as dead (its liveness key expires); renewed every quarter of it. Not waited for
   * when a process on the same host and pid namespace proves it dead (NodeIdentity).
   */
  NODE_LIVENESS_TTL_MS: int(5000, 500),
  TRUST_PROXY: bool(false),
  /** Failed logins per email from one IP address (a lock per email+IP pair), per LOGIN_WINDOW_SECONDS. */
  LOGIN_MAX_FAILURES_PER_EMAIL: int(5, 1),
  LOGIN_MAX_FAILURES_PER_IP: int(20, 1),
  LOGIN_WINDOW_SECONDS: int(900, 1),
  /** Signups per IP address per SIGNUP_WINDOW_SECONDS (429 past it). */
  SIGNUP_MAX_PER_IP: int(20, 1),
  SIGNUP_WINDOW_SECONDS: int(3600, 1),
  /** Media uploads in progress at once per tenant (on one node), and per node; 429 past either. */
  UPLOADS_MAX_CONCURRENT_PER_TENANT: int(4, 1),
  UPLOADS_MAX_CONCURRENT_PER_NODE: int(32, 1),
  /** Live event streams (SSE) open at once per tenant (on one node), and per node; 429 past either. */
  STREAMS_MAX_PER_TENANT: int(20, 1),
  STREAMS_MAX_PER_NODE: int(1000, 1),
  WA_WS_URL: url(['ws:', 'wss:']).default('wss://web.whatsapp.com/ws/chat'),
  WA_TRUST_ROOT_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]+$/, 'must be hex')
    .optional(),
  QR_TTL_MS: int(20_000, 1),
  QR_MAX_ATTEMPTS: int(6, 1),
  LEASE_TTL_MS: int(30_000, 1000),
  RECONNECT_BASE_MS: int(1000, 1),
  RECONNECT_MAX_MS: int(60_000, 1),
  RECONNECT_MAX_ATTEMPTS: int(10, 0),
  RESTORE_CONCURRENCY: int(5, 1),
  SESSIONS_DIR: z.string().min(1).default('./sessions'),
  MEDIA_ALLOW_PRIVATE_URLS: bool(false),
  /** Per-instance send pacing in messages per second (decimals allowed, 0.5 = one every 2 s); 0 turns pacing off. */
  SEND_RATE_PER_SECOND: z.coerce.number({ message: 'must be a number' }).min(0, { message: 'must be at least 0' }).max(1000).default(1),
  SEND_NOT_CONNECTED_MAX_WAIT_MS: int(5 * 60_000, 0),
  SEND_MAX_ATTEMPTS: int(5, 1),
  /** How long a send job stays locked to a worker that stopped renewing (crashed); then another worker takes it. */
  SEND_JOB_LOCK_MS: int(30_000, 1000),
  MEDIA_MAX_IMAGE_BYTES: int(16 * 1024 * 1024, 1),
  MEDIA_MAX_VIDEO_BYTES: int(16 * 1024 * 1024, 1),
  MEDIA_MAX_AUDIO_BYTES: int(16 * 1024 * 1024, 1),
  MEDIA_MAX_DOCUMENT_BYTES: int(100 * 1024 * 1024, 1),
  MEDIA_FETCH_TIMEOUT_MS: int(60_000, 100),
  /** Where message media is kept (`<dir>/<instanceId>/media`); SESSIONS_DIR when unset. */
  MEDIA_DIR: z.string().min(1).optional(),
  WEBHOOK_ALLOW_PRIVATE_URLS: bool(false),
  WEBHOOK_TIMEOUT_MS: int(10_000, 100),
  WEBHOOK_MAX_ATTEMPTS: int(10, 1).pipe(z.number().max(100, { message: 'must be at most 100' })),
  WEBHOOK_BACKOFF_BASE_MS: int(30_000, 1),
  WEBHOOK_BACKOFF_MAX_MS: int(30 * 60_000, 1),
  WEBHOOK_CONCURRENCY: int(64, 1),
  WEBHOOK_POLL_INTERVAL_MS: int(1000, 10),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must look like 100kb or 1mb')
    .default('1mb'),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 0),
  /** Bearer token for GET /metrics; without it /metrics is open outside production and off in production. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
});

export type RawEnv = z.infer<typeof envSchema>;

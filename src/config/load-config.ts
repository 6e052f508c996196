import { resolve } from 'node:path';
import type { Config } from './config.js';
import { ConfigError } from './config-error.js';
import { loadOrCreateDevSecrets } from './dev-secrets.js';
import { envSchema, type RawEnv } from './env-schema.js';

export interface LoadConfigOptions {
  /** Where development secrets are kept; default `.dev-secrets.json` in the working directory. */
  devSecretsFile?: string;
}

export interface LoadedConfig {
  config: Config;
  /** Things worth telling the operator once a logger exists (e.g. "generated development secrets"). */
  notices: string[];
}

/** Parses 64 hex characters or base64 of exactly 32 bytes; null otherwise. */
export function parseEncryptionKey(value: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(value)) {
    const buf = Buffer.from(value, 'base64');
    if (buf.length === 32) return buf;
  }
  return null;
}

/** SEND_RATE_PER_SECOND as a BullMQ limiter: whole messages per second, or one message per 1/rate seconds. */
export function sendRateLimit(perSecond: number): { max: number; durationMs: number } | null {
  if (perSecond <= 0) return null;
  if (perSecond >= 1) return { max: Math.round(perSecond), durationMs: 1000 };
  return { max: 1, durationMs: Math.round(1000 / perSecond) };
}

/**
 * The only place that reads the environment. Validates everything at once and throws a ConfigError
 * listing every problem, so the process refuses to start on a bad value.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): LoadedConfig {
  // Treat empty strings as unset, as shells and compose files often export VAR= .
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`));
  }
  const raw: RawEnv = parsed.data;
  const notices: string[] = [];
  const problems: string[] = [];

  let jwtSecret = raw.JWT_SECRET;
  let encryptionKeyText = raw.ENCRYPTION_KEY;
  if (raw.NODE_ENV === 'production') {
    if (!jwtSecret) problems.push('JWT_SECRET: required in production (at least 32 characters)');
    if (!encryptionKeyText) problems.push('ENCRYPTION_KEY: required in production (32 bytes, hex or base64)');
  } else if (!jwtSecret || !encryptionKeyText) {
    const file = resolve(options.devSecretsFile ?? '.dev-secrets.json');
    const { secrets, generated } = loadOrCreateDevSecrets(file);
    jwtSecret ??= secrets.jwtSecret;
    encryptionKeyText ??= secrets.encryptionKey;
    notices.push(
      generated
        ? `generated development JWT_SECRET and ENCRYPTION_KEY into ${file} (kept for next starts; set them in production)`
        : `using development JWT_SECRET and ENCRYPTION_KEY from ${file}`,
    );
  }
  const encryptionKey = encryptionKeyText ? parseEncryptionKey(encryptionKeyText) : null;
  if (encryptionKeyText && !encryptionKey) {
    problems.push('ENCRYPTION_KEY: must be 32 bytes, as 64 hex characters or base64');
  }
  if ((raw.ADMIN_EMAIL === undefined) !== (raw.ADMIN_PASSWORD === undefined)) {
    problems.push('ADMIN_EMAIL and ADMIN_PASSWORD: set both or neither');
  }
  if (raw.RECONNECT_MAX_MS < raw.RECONNECT_BASE_MS) {
    problems.push('RECONNECT_MAX_MS: must not be below RECONNECT_BASE_MS');
  }
  if (raw.WEBHOOK_BACKOFF_MAX_MS < raw.WEBHOOK_BACKOFF_BASE_MS) {
    problems.push('WEBHOOK_BACKOFF_MAX_MS: must not be below WEBHOOK_BACKOFF_BASE_MS');
  }
  if (problems.length > 0 || !jwtSecret || !encryptionKey) throw new ConfigError(problems);

  const config: Config = {
    nodeEnv: raw.NODE_ENV,
    isProduction: raw.NODE_ENV === 'production',
    port: raw.PORT,
    host: raw.HOST,
    logLevel: raw.LOG_LEVEL,
    databaseUrl: raw.DATABASE_URL,
    databasePreparedStatements: raw.DATABASE_PREPARED_STATEMENTS,
    sourceMaps: raw.SOURCE_MAPS ?? raw.NODE_ENV !== 'production',
    redisUrl: raw.REDIS_URL,
    redisPrefix: raw.REDIS_PREFIX,
    jwtSecret,
    encryptionKey,
    sessionTtlSeconds: raw.SESSION_TTL_SECONDS,
    admin:
      raw.ADMIN_EMAIL && raw.ADMIN_PASSWORD
        ? { email: raw.ADMIN_EMAIL.toLowerCase(), password: raw.ADMIN_PASSWORD }
        : null,
    role: raw.ROLE,
    nodeId: raw.NODE_ID,
    trustProxy: raw.TRUST_PROXY,
    loginLimits: {
      maxFailuresPerEmail: raw.LOGIN_MAX_FAILURES_PER_EMAIL,
      maxFailuresPerIp: raw.LOGIN_MAX_FAILURES_PER_IP,
      windowSeconds: raw.LOGIN_WINDOW_SECONDS,
    },
    signupLimits: { maxPerIp: raw.SIGNUP_MAX_PER_IP, windowSeconds: raw.SIGNUP_WINDOW_SECONDS },
    uploadLimits: { perTenant: raw.UPLOADS_MAX_CONCURRENT_PER_TENANT, perNode: raw.UPLOADS_MAX_CONCURRENT_PER_NODE },
    streamLimits: { perTenant: raw.STREAMS_MAX_PER_TENANT, perNode: raw.STREAMS_MAX_PER_NODE },
    waWsUrl: raw.WA_WS_URL,
    waTrustRootKey: raw.WA_TRUST_ROOT_KEY ?? null,
    qrTtlMs: raw.QR_TTL_MS,
    qrMaxAttempts: raw.QR_MAX_ATTEMPTS,
    leaseTtlMs: raw.LEASE_TTL_MS,
    nodeLivenessTtlMs: raw.NODE_LIVENESS_TTL_MS,
    reconnectBaseMs: raw.RECONNECT_BASE_MS,
    reconnectMaxMs: raw.RECONNECT_MAX_MS,
    reconnectMaxAttempts: raw.RECONNECT_MAX_ATTEMPTS,
    restoreConcurrency: raw.RESTORE_CONCURRENCY,
    sessionsDir: raw.SESSIONS_DIR,
    mediaAllowPrivateUrls: raw.MEDIA_ALLOW_PRIVATE_URLS,
    sendRateLimit: sendRateLimit(raw.SEND_RATE_PER_SECOND),
    sendNotConnectedMaxWaitMs: raw.SEND_NOT_CONNECTED_MAX_WAIT_MS,
    sendMaxAttempts: raw.SEND_MAX_ATTEMPTS,
    sendJobLockMs: raw.SEND_JOB_LOCK_MS,
    mediaLimits: {
      image: raw.MEDIA_MAX_IMAGE_BYTES,
      video: raw.MEDIA_MAX_VIDEO_BYTES,
      audio: raw.MEDIA_MAX_AUDIO_BYTES,
      document: raw.MEDIA_MAX_DOCUMENT_BYTES,
    },
    mediaFetchTimeoutMs: raw.MEDIA_FETCH_TIMEOUT_MS,
    mediaDir: raw.MEDIA_DIR ?? raw.SESSIONS_DIR,
    webhookAllowPrivateUrls: raw.WEBHOOK_ALLOW_PRIVATE_URLS,
    webhookTimeoutMs: raw.WEBHOOK_TIMEOUT_MS,
    webhookMaxAttempts: raw.WEBHOOK_MAX_ATTEMPTS,
    webhookBackoffBaseMs: raw.WEBHOOK_BACKOFF_BASE_MS,
    webhookBackoffMaxMs: raw.WEBHOOK_BACKOFF_MAX_MS,
    webhookConcurrency: raw.WEBHOOK_CONCURRENCY,
    webhookPollIntervalMs: raw.WEBHOOK_POLL_INTERVAL_MS,
    bodyLimit: raw.BODY_LIMIT,
    shutdownTimeoutMs: raw.SHUTDOWN_TIMEOUT_MS,
    metricsToken: raw.METRICS_TOKEN ?? null,
  };
  return { config, notices };
}

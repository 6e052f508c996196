/** The validated configuration every part of the service receives (never process.env). */
export interface Config {
  nodeEnv: 'development' | 'test' | 'production';
  isProduction: boolean;
  port: number;
  host: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  databaseUrl: string;
  /** Hot statements prepared once per connection; off behind a pooler that cannot keep them (PgBouncer in transaction mode). */
  databasePreparedStatements: boolean;
  /**
   * Stack traces mapped back to the TypeScript sources (tsx turns this on when it loads the code). Off in production by
   * default: Baileys captures a stack trace for every query it sends, and mapping each one cost about 15 % of the
   * engine's CPU per sent message (bench:send). Off, stacks point at the transpiled code, as `node dist/...` does.
   */
  sourceMaps: boolean;
  redisUrl: string;
  redisPrefix: string;
  jwtSecret: string;
  /** 32 bytes, for AES-256-GCM. */
  encryptionKey: Buffer;
  sessionTtlSeconds: number;
  admin: { email: string; password: string } | null;
  role: 'api' | 'worker' | 'all';
  nodeId: string;
  trustProxy: boolean;
  /** Failed logins per email+IP pair and per IP, per window. */
  loginLimits: { maxFailuresPerEmail: number; maxFailuresPerIp: number; windowSeconds: number };
  /** Signups per IP address, per window. */
  signupLimits: { maxPerIp: number; windowSeconds: number };
  /** Uploads in progress at once, per tenant (on one node) and per node. */
  uploadLimits: { perTenant: number; perNode: number };
  /** Live event streams open at once, per tenant (on one node) and per node. */
  streamLimits: { perTenant: number; perNode: number };
  waWsUrl: string;
  waTrustRootKey: string | null;
  qrTtlMs: number;
  qrMaxAttempts: number;
  leaseTtlMs: number;
  /** NODE_LIVENESS_TTL_MS. */
  nodeLivenessTtlMs: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  reconnectMaxAttempts: number;
  restoreConcurrency: number;
  sessionsDir: string;
  mediaAllowPrivateUrls: boolean;
  /** Per-instance pacing; null when SEND_RATE_PER_SECOND=0. */
  sendRateLimit: { max: number; durationMs: number } | null;
  sendNotConnectedMaxWaitMs: number;
  sendMaxAttempts: number;
  sendJobLockMs: number;
  /** Largest media per type, in bytes. */
  mediaLimits: { image: number; video: number; audio: number; document: number };
  mediaFetchTimeoutMs: number;
  mediaDir: string;
  webhookAllowPrivateUrls: boolean;
  /** Per webhook attempt (connect, send, answer). */
  webhookTimeoutMs: number;
  webhookMaxAttempts: number;
  webhookBackoffBaseMs: number;
  webhookBackoffMaxMs: number;
  /** Webhook requests in flight at once on one node. */
  webhookConcurrency: number;
  /** How often the delivery runner looks for due deliveries without a notification. */
  webhookPollIntervalMs: number;
  bodyLimit: string;
  shutdownTimeoutMs: number;
  /** GET /metrics: null = no token (open outside production, off in production). */
  metricsToken: string | null;
}

/** The validated configuration every part of the service receives (never process.env). */
export interface Config {
  nodeEnv: 'development' | 'test' | 'production';
  isProduction: boolean;
  port: number;
  host: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  databaseUrl: string;
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
  loginLimits: { maxFailuresPerEmail: number; maxFailuresPerIp: number; windowSeconds: number };
  waWsUrl: string;
  waTrustRootKey: string | null;
  qrTtlMs: number;
  qrMaxAttempts: number;
  leaseTtlMs: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  reconnectMaxAttempts: number;
  restoreConcurrency: number;
  sessionsDir: string;
  mediaAllowPrivateUrls: boolean;
  webhookAllowPrivateUrls: boolean;
  bodyLimit: string;
  shutdownTimeoutMs: number;
}

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig, parseEncryptionKey } from '../../src/config/load-config.js';

const KEY_HEX = 'ab'.repeat(32);
const SECRET = 's'.repeat(40);
const base = { JWT_SECRET: SECRET, ENCRYPTION_KEY: KEY_HEX };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zap-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, { devSecretsFile: join(dir, 'secrets.json') });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has a default for everything but the secrets', () => {
    const { config } = loadConfig(base);
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      host: '0.0.0.0',
      logLevel: 'info',
      databaseUrl: 'postgres://root@127.0.0.1:5432/zap_engine',
      databasePreparedStatements: true,
      sourceMaps: true,
      redisUrl: 'redis://127.0.0.1:6379',
      redisPrefix: 'zap',
      role: 'all',
      admin: null,
      waWsUrl: 'wss://web.whatsapp.com/ws/chat',
      waTrustRootKey: null,
      qrTtlMs: 20_000,
      qrMaxAttempts: 6,
      leaseTtlMs: 30_000,
      reconnectBaseMs: 1000,
      reconnectMaxMs: 60_000,
      reconnectMaxAttempts: 10,
      restoreConcurrency: 5,
      sessionsDir: './sessions',
      mediaAllowPrivateUrls: false,
      webhookAllowPrivateUrls: false,
      bodyLimit: '1mb',
      shutdownTimeoutMs: 10_000,
    });
    expect(config.nodeId).toBe(hostname()); // stable across restarts: a restarted process takes its sockets back at once
    expect(config.encryptionKey).toEqual(Buffer.from(KEY_HEX, 'hex'));
  });

  it('parses numbers and strict booleans', () => {
    const { config } = loadConfig({
      ...base,
      PORT: '8080',
      MEDIA_ALLOW_PRIVATE_URLS: 'true',
      WEBHOOK_ALLOW_PRIVATE_URLS: '1',
      TRUST_PROXY: '0',
      DATABASE_PREPARED_STATEMENTS: 'false',
    });
    expect(config.port).toBe(8080);
    expect(config.databasePreparedStatements).toBe(false);
    expect(config.mediaAllowPrivateUrls).toBe(true);
    expect(config.webhookAllowPrivateUrls).toBe(true);
    expect(config.trustProxy).toBe(false);
  });

  it('maps stack traces to the sources by default outside production only, unless SOURCE_MAPS says otherwise', () => {
    const production = { ...base, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), ENCRYPTION_KEY: KEY_HEX };
    expect(loadConfig(production).config.sourceMaps).toBe(false);
    expect(loadConfig({ ...production, SOURCE_MAPS: 'true' }).config.sourceMaps).toBe(true);
    expect(loadConfig({ ...base, SOURCE_MAPS: '0' }).config.sourceMaps).toBe(false);
    expect(problemsOf({ ...base, SOURCE_MAPS: 'on' }).some((p) => p.startsWith('SOURCE_MAPS:'))).toBe(true);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ MEDIA_ALLOW_PRIVATE_URLS: 'yes' }, 'MEDIA_ALLOW_PRIVATE_URLS'],
    [{ WEBHOOK_ALLOW_PRIVATE_URLS: 'TRUE ' }, 'WEBHOOK_ALLOW_PRIVATE_URLS'],
    [{ ROLE: 'both' }, 'ROLE'],
    [{ DATABASE_PREPARED_STATEMENTS: 'off' }, 'DATABASE_PREPARED_STATEMENTS'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
    [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ WA_WS_URL: 'https://web.whatsapp.com' }, 'WA_WS_URL'],
    [{ WA_TRUST_ROOT_KEY: 'xyz' }, 'WA_TRUST_ROOT_KEY'],
    [{ BODY_LIMIT: 'lots' }, 'BODY_LIMIT'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ ENCRYPTION_KEY: 'abcd' }, 'ENCRYPTION_KEY'],
    [{ ADMIN_EMAIL: 'admin@example.com' }, 'ADMIN_EMAIL and ADMIN_PASSWORD'],
    [{ ADMIN_EMAIL: 'nope', ADMIN_PASSWORD: 'long enough' }, 'ADMIN_EMAIL'],
  ])('refuses %j, naming %s', (env, name) => {
    const problems = problemsOf({ ...base, ...env });
    expect(problems.some((p) => p.startsWith(`${name}:`))).toBe(true);
  });

  it('reports every problem at once, with a readable message', () => {
    try {
      loadConfig({ ...base, PORT: 'x', ROLE: 'y' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toHaveLength(2);
      expect((err as Error).message).toMatch(/^Invalid configuration:\n {2}- /);
    }
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ ...base, PORT: '', REDIS_PREFIX: '' }).config).toMatchObject({ port: 3000, redisPrefix: 'zap' });
  });

  it('production refuses to start without JWT_SECRET and ENCRYPTION_KEY', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toEqual([
      'JWT_SECRET: required in production (at least 32 characters)',
      'ENCRYPTION_KEY: required in production (32 bytes, hex or base64)',
    ]);
  });

  it('development generates the secrets once, keeps them, and says so', () => {
    const file = join(dir, 'secrets.json');
    const first = loadConfig({}, { devSecretsFile: file });
    expect(first.notices[0]).toContain('generated development JWT_SECRET and ENCRYPTION_KEY');
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { jwtSecret: string; encryptionKey: string };
    expect(first.config.jwtSecret).toBe(stored.jwtSecret);
    const second = loadConfig({}, { devSecretsFile: file });
    expect(second.notices[0]).toContain('using development');
    expect(second.config.jwtSecret).toBe(first.config.jwtSecret);
    expect(second.config.encryptionKey).toEqual(first.config.encryptionKey);
    expect(second.config.encryptionKey).toHaveLength(32);
  });

  it('given secrets win over the development file', () => {
    const { config, notices } = loadConfig(base, { devSecretsFile: join(dir, 'secrets.json') });
    expect(config.jwtSecret).toBe(SECRET);
    expect(notices).toEqual([]);
  });

  it('lower-cases the admin email', () => {
    const { config } = loadConfig({ ...base, ADMIN_EMAIL: 'Admin@Example.com', ADMIN_PASSWORD: 'long enough' });
    expect(config.admin).toEqual({ email: 'admin@example.com', password: 'long enough' });
  });
});

describe('parseEncryptionKey', () => {
  it('accepts 32 bytes as hex or base64 and nothing else', () => {
    const bytes = Buffer.alloc(32, 7);
    expect(parseEncryptionKey(bytes.toString('hex'))).toEqual(bytes);
    expect(parseEncryptionKey(bytes.toString('base64'))).toEqual(bytes);
    expect(parseEncryptionKey(bytes.toString('base64url'))).toEqual(bytes);
    expect(parseEncryptionKey(Buffer.alloc(16).toString('hex'))).toBeNull();
    expect(parseEncryptionKey(Buffer.alloc(31).toString('base64'))).toBeNull();
    expect(parseEncryptionKey('not a key')).toBeNull();
  });
});

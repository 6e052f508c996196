import { spawn } from 'node:child_process';
import { join } from 'node:path';
import request from 'supertest';
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testRedisUrl } from '../support/redis.js';

const root = process.cwd();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts `src/main.ts` as `npm start` would, with exactly this environment. */
function start(env: Record<string, string>) {
  const child = spawn(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'src/main.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  return { child, done, output: () => stdout };
}

const secrets = { JWT_SECRET: TEST_JWT_SECRET, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, NODE_ENV: 'test' };

describe('start-up', () => {
  it('an unreachable Postgres is one line naming the URL and how to start it, exit 1', async () => {
    const run = await start({ ...secrets, DATABASE_URL: 'postgres://root@127.0.0.1:1/zap_nowhere' }).done;
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('cannot reach Postgres at postgres://root@127.0.0.1:1/zap_nowhere');
    expect(lines[0]).toContain('pg_ctlcluster --skip-systemctl-redirect');
    expect(run.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('an unreachable Redis is one line naming the URL and how to start it, exit 1', async () => {
    const db = await createTestDatabase();
    try {
      const run = await start({ ...secrets, DATABASE_URL: db.url, REDIS_URL: 'redis://127.0.0.1:1' }).done;
      expect(run.code).toBe(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('cannot reach Redis at redis://127.0.0.1:1');
      expect(lines[0]).toContain('redis-server --daemonize yes');
    } finally {
      await db.close();
    }
  });

  it('production refuses to start without JWT_SECRET and ENCRYPTION_KEY', async () => {
    const run = await start({ NODE_ENV: 'production' }).done;
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Invalid configuration');
    expect(run.stderr).toContain('JWT_SECRET: required in production');
    expect(run.stderr).toContain('ENCRYPTION_KEY: required in production');
  });

  it('a bad value stops the process with its name', async () => {
    const run = await start({ ...secrets, MEDIA_ALLOW_PRIVATE_URLS: 'yes' }).done;
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('MEDIA_ALLOW_PRIVATE_URLS: must be one of true, false, 1, 0');
  });

  describe('running', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(async () => {
      await db.close();
    });

    it('serves, creates the platform admin, and shuts down cleanly on SIGTERM', async () => {
      const proc = start({
        ...secrets,
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: db.url,
        REDIS_URL: testRedisUrl,
        REDIS_PREFIX: `zaptest:startup:${process.pid}`,
        ADMIN_EMAIL: 'boot-admin@example.com',
        ADMIN_PASSWORD: 'boot admin password',
      });
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`did not start:\n${proc.output()}`)), 30_000);
        const check = setInterval(() => {
          const match = /"port":(\d+)[^\n]*"msg":"listening"/.exec(proc.output());
          if (match) {
            clearInterval(check);
            clearTimeout(timer);
            resolve(Number(match[1]));
          }
        }, 50);
      });
      const base = `http://127.0.0.1:${port}`;
      expect((await request(base).get('/ready')).status).toBe(200);
      const login = await request(base)
        .post('/auth/sessions')
        .send({ email: 'boot-admin@example.com', password: 'boot admin password' });
      expect(login.status).toBe(200);
      expect(login.body.data.user.role).toBe('platform_admin');
      expect(proc.output()).not.toContain('boot admin password');
      // A second live process claiming the same NODE_ID (the hostname by default) is refused: never two sockets
      // for one device.
      const twin = await start({
        ...secrets,
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: db.url,
        REDIS_URL: testRedisUrl,
        REDIS_PREFIX: `zaptest:startup:${process.pid}`,
        NODE_LIVENESS_TTL_MS: '1000',
      }).done;
      expect(twin.code).toBe(1);
      expect(twin.stderr.trim().split('\n').at(-1)).toMatch(/^zap-engine: NODE_ID ".+" is in use by another live process/);
      proc.child.kill('SIGTERM');
      const run = await proc.done;
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('"msg":"shutting down"');
      expect(run.stdout).toContain('"step":"postgres","msg":"closed"');
    });
  });
});

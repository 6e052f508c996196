/**
 * The product in its own process, started exactly as production starts it (`node --import tsx src/main.ts`, which
 * is what `npm start` runs), so that benchmarks measure it without the load generator's CPU. It runs on a
 * throw-away Postgres database (created empty; main.ts creates it and runs the migrations) and Redis prefix, both
 * removed by stop():
 *
 *   const engine = await startEngineProcess({ simulator, env: { WEBHOOK_MAX_ATTEMPTS: '30' } });
 *   await fetch(`${engine.baseUrl}/auth/signup`, ...);
 *   const cpu = engine.cpuMs();                        // user + system CPU the engine used so far
 *   await engine.stop();                               // SIGTERM, exit, database and Redis keys dropped
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseUrl, withAdminClient } from '../../tests/support/database.js';
import { testRedisUrl } from '../../tests/support/redis.js';
import { createRedis } from '../../src/persistence/redis/create-redis.js';
import { deleteKeysMatching } from '../../src/persistence/redis/scan-keys.js';

export interface EngineProcessOptions {
  /** The simulator the engine connects to (its ws URL and Noise root key). */
  simulator: { wsUrl: string; rootPublicKey: string };
  /** Extra environment for the engine (wins over the defaults below). */
  env?: Record<string, string>;
  /** Extra node flags, before `--import tsx`, e.g. `['--cpu-prof', '--cpu-prof-dir=/tmp/prof']`. */
  nodeArgs?: string[];
  readyTimeoutMs?: number;
}

export interface EngineProcess {
  child: ChildProcess;
  pid: number;
  /** e.g. `http://127.0.0.1:41234`. */
  baseUrl: string;
  databaseName: string;
  redisPrefix: string;
  /** The engine's stdout and stderr (pino at LOG_LEVEL=warn unless env says otherwise); kept after stop() unless empty. */
  logFile: string;
  /** CPU time (user + system, all threads) the engine process has used so far, in ms; 10 ms resolution. */
  cpuMs(): number;
  /** SIGTERM and waits for the exit (SIGKILL after `graceMs`), keeping the database and the Redis keys (a restart). */
  terminate(graceMs?: number): Promise<void>;
  /** SIGTERM, waits for the exit (SIGKILL after `graceMs`), then drops the database and the Redis keys. Safe twice. */
  stop(graceMs?: number): Promise<void>;
}

/** Utime + stime of a Linux process from /proc/<pid>/stat, in ms (clock ticks of 10 ms). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 2 (comm) is in parentheses and may hold spaces; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A TCP port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function dropRedisKeys(prefix: string): Promise<void> {
  const redis = createRedis(testRedisUrl, { connectionName: `${prefix}:cleanup` });
  await redis.connect();
  try {
    await deleteKeysMatching(redis, `${prefix}:*`);
  } finally {
    await redis.quit();
  }
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export async function startEngineProcess(options: EngineProcessOptions): Promise<EngineProcess> {
  const id = randomBytes(4).toString('hex');
  const databaseName = `zap_bench_${id}`;
  const redisPrefix = `zapbench:${id}`;
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'zap-bench-engine-'));
  const logFile = join(tmpdir(), `zap-bench-engine-${id}.log`);
  const log = openSync(logFile, 'w');
  const env: Record<string, string> = {
    // Production mode: no .dev-secrets.json is written (it needs the secrets below instead), secure cookies.
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl(databaseName),
    REDIS_URL: testRedisUrl,
    REDIS_PREFIX: redisPrefix,
    NODE_ID: `bench-${id}`,
    JWT_SECRET: randomBytes(32).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    WA_WS_URL: options.simulator.wsUrl,
    WA_TRUST_ROOT_KEY: options.simulator.rootPublicKey,
    SEND_RATE_PER_SECOND: '0',
    MEDIA_ALLOW_PRIVATE_URLS: 'true',
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    SESSIONS_DIR: join(dataDir, 'sessions'),
    MEDIA_DIR: join(dataDir, 'media'),
    ...(options.env?.ROLE === 'worker' ? { LOG_LEVEL: 'info' } : {}),
    ...options.env,
  };
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.on('exit', kill);

  let terminating: Promise<void> | null = null;
  const terminate = (graceMs = 30_000): Promise<void> => {
    terminating ??= (async () => {
      kill();
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      process.off('exit', kill);
    })();
    return terminating;
  };
  let stopping: Promise<void> | null = null;
  const stop = (graceMs = 30_000): Promise<void> => {
    stopping ??= (async () => {
      await terminate(graceMs);
      await Promise.allSettled([
        withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`)),
        dropRedisKeys(redisPrefix),
      ]);
      rmSync(dataDir, { recursive: true, force: true });
      if (statSync(logFile, { throwIfNoEntry: false })?.size === 0) rmSync(logFile);
    })();
    return stopping;
  };

  const baseUrl = `http://127.0.0.1:${port}`;
  const workerOnly = env.ROLE === 'worker';
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`engine exited (${child.exitCode ?? child.signalCode}) before /ready:\n${tail(logFile)}`);
    }
    // ROLE=worker serves no HTTP: its "node started" log line (LOG_LEVEL=info) says it is up.
    const ok = workerOnly
      ? readFileSync(logFile, 'utf8').includes('"msg":"node started"')
      : await fetch(`${baseUrl}/ready`).then(
          async (res) => (await res.arrayBuffer(), res.ok),
          () => false,
        );
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`engine not ready after ${options.readyTimeoutMs ?? 60_000} ms:\n${tail(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, pid: child.pid!, baseUrl, databaseName, redisPrefix, logFile, cpuMs: () => processCpuMs(child.pid!), terminate, stop };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from './app.js';
import { eventually } from './messaging.js';

const root = process.cwd();

/** A TCP port nothing listens on right now (on 127.0.0.1). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface ProductProcessOptions {
  nodeId: string;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  sim: Pick<RunningSimulator, 'wsUrl' | 'rootPublicKey'>;
  /** More environment (it wins over the defaults: lease, lock, pacing, reconnect timings...). */
  env?: Record<string, string>;
}

/**
 * The product as `npm start` runs it, in its own process (`node --import tsx src/main.ts`, not the tsx CLI: the CLI
 * runs the program in a child of its own, which a SIGKILL of the CLI would leave running). Resolves once /health
 * answers; `stderr()` is the end of what it wrote (for a failure's message).
 */
export async function startProductProcess(options: ProductProcessOptions): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/main.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.PRODUCT_LOG_LEVEL ?? 'warn',
      JWT_SECRET: TEST_JWT_SECRET,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      REDIS_PREFIX: options.redisPrefix,
      WA_WS_URL: options.sim.wsUrl,
      WA_TRUST_ROOT_KEY: options.sim.rootPublicKey,
      NODE_EXTRA_CA_CERTS: join(root, '.sandbox/certs/ca.pem'),
      HOST: '127.0.0.1',
      PORT: String(port),
      NODE_ID: options.nodeId,
      RECONNECT_BASE_MS: '100',
      RECONNECT_MAX_MS: '1000',
      MEDIA_DIR: mkdtempSync(join(tmpdir(), 'zap-node-')),
      ...options.env,
    },
    stdio: ['ignore', process.env.PRODUCT_LOG_DIR ? 'pipe' : 'ignore', 'pipe'],
  });
  // PRODUCT_LOG_DIR=<dir> keeps everything each node writes, in <dir>/<nodeId>.log (for debugging a fault test).
  if (process.env.PRODUCT_LOG_DIR) {
    mkdirSync(process.env.PRODUCT_LOG_DIR, { recursive: true });
    const file = createWriteStream(join(process.env.PRODUCT_LOG_DIR, `${options.nodeId}.log`), { flags: 'a' });
    child.stdout?.pipe(file);
    child.stderr?.pipe(file);
  }
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`process exited: ${stderr}`);
    const res = await fetch(`${url}/health`);
    if (!res.ok) throw new Error(String(res.status));
  }, 60_000, 250);
  return { child, url, stderr: () => stderr };
}

/**
 * A private Redis and a private Postgres for fault tests: each on its own free port and temp directory, so a test
 * can stop and restart them without touching the shared 127.0.0.1:6379 / :5432 that every other test uses.
 *
 *   const redis = await startPrivateRedis();      // redis-server, append-only file fsynced on every write
 *   await redis.stop(); ...; await redis.start(); // same port and data: a Redis restart
 *   const pg = await startPrivatePostgres();      // initdb (as the postgres user) + postgres, trust auth
 *   await pg.stop(); ...; await pg.start();
 *   await Promise.all([redis.destroy(), pg.destroy()]);
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './product-process.js';

export interface PrivateDependency {
  url: string;
  port: number;
  /** Stops the server (SIGTERM for Redis, fast shutdown for Postgres) and waits for its exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  /** stop() and remove the data directory. Safe twice. */
  destroy(): Promise<void>;
}

/** Resolves once something accepts TCP connections on the port (and `ready` agrees, when given). */
async function waitForPort(port: number, child: ChildProcess, what: string, ready?: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited (${child.exitCode ?? child.signalCode})`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open && (!ready || ready())) return;
    if (Date.now() > deadline) throw new Error(`${what} did not start on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function managed(spawnServer: () => ChildProcess, port: number, what: string, stopSignal: NodeJS.Signals, dir: string, ready?: (child: ChildProcess) => () => boolean) {
  let child: ChildProcess | null = null;
  const kill = (): void => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', kill);
  const api = {
    async start(): Promise<void> {
      if (child && child.exitCode === null && child.signalCode === null) return;
      child = spawnServer();
      await waitForPort(port, child, what, ready?.(child));
    },
    async stop(): Promise<void> {
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill(stopSignal);
      const timer = setTimeout(() => running.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
    async destroy(): Promise<void> {
      await api.stop();
      process.off('exit', kill);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return api;
}

/** redis-server on its own port, `appendonly yes` + `appendfsync always` in a temp directory (data survives a restart). */
export async function startPrivateRedis(): Promise<PrivateDependency> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'zap-private-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--daemonize', 'no', '--loglevel', 'warning'];
  const api = managed(() => spawn('redis-server', args, { stdio: 'ignore' }), port, 'private redis-server', 'SIGTERM', dir);
  await api.start();
  return { url: `redis://127.0.0.1:${port}`, port, ...api };
}

function postgresBin(name: string): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const path = `/usr/lib/postgresql/${v}/bin/${name}`;
    if (existsSync(path)) return path;
  }
  throw new Error(`no ${name} under /usr/lib/postgresql`);
}

/**
 * A private Postgres cluster: initdb under a temp directory as the `postgres` OS user (Postgres refuses to run as
 * root), trust auth, fsync off, listening on its own port with its socket in the temp directory.
 */
export async function startPrivatePostgres(): Promise<PrivateDependency> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'zap-private-pg-'));
  const data = join(dir, 'data');
  // Postgres refuses to run as root: run it as the postgres OS user (node spawns with that uid/gid).
  const user = process.getuid?.() === 0
    ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()) }
    : {};
  if (user.uid !== undefined) chownSync(dir, user.uid, user.gid!);
  execFileSync(postgresBin('initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], { stdio: 'ignore', cwd: dir, ...user });
  const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=100'];
  let log = '';
  const api = managed(
    () => {
      log = '';
      const child = spawn(postgresBin('postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir, ...user });
      child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
      return child;
    },
    port,
    'private postgres',
    'SIGINT', // fast shutdown: active sessions are cut, as a restart does
    dir,
    () => () => log.includes('ready to accept connections'),
  );
  await api.start();
  return { url: `postgres://postgres@127.0.0.1:${port}/zap_faults`, port, ...api };
}

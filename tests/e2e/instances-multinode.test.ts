/**
 * Two real processes (`src/main.ts` as nodes a and b) on one Postgres and Redis, against a simulator in a third
 * process. The node owning an instance is killed with SIGKILL; the other takes the instance over within the
 * lease time, with the credentials in Redis (no QR) and a single connected device on the phone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import request from 'supertest';
import { ControlClient } from '../../src/simulator/control/control-client.js';
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freshPhone } from '../support/engine-app.js';
import { deleteKeysMatching } from '../../src/persistence/redis/scan-keys.js';
import { testRedisUrl } from '../support/redis.js';

const LEASE_TTL_MS = 4000;
/** A killed node counts as dead this long after its last heartbeat (NODE_LIVENESS_TTL_MS). */
const LIVENESS_TTL_MS = 1500;
const children: ChildProcess[] = [];
let db: TestDatabase;
let redis: Redis;
const prefix = `zaptest:mn${randomBytes(5).toString('hex')}`;
let sim: { wsUrl: string; controlUrl: string; rootPublicKey: string };

/** Spawns `node --import tsx <script>` and resolves with the first stdout line matching `ready`. */
function spawnTs(script: string, args: string[], env: Record<string, string>, ready: (line: string) => boolean): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (ready(line)) resolve({ child, line });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${stderr}`)));
  });
}

async function startNode(nodeId: string): Promise<{ child: ChildProcess; url: string }> {
  const { child, line } = await spawnTs(
    'src/main.ts',
    [],
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ID: nodeId,
      DATABASE_URL: db.url,
      REDIS_URL: testRedisUrl,
      REDIS_PREFIX: prefix,
      JWT_SECRET: TEST_JWT_SECRET,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      WA_WS_URL: sim.wsUrl,
      WA_TRUST_ROOT_KEY: sim.rootPublicKey,
      LEASE_TTL_MS: String(LEASE_TTL_MS),
      NODE_LIVENESS_TTL_MS: String(LIVENESS_TTL_MS),
      RECONNECT_BASE_MS: '100',
      RECONNECT_MAX_MS: '1000',
    },
    (l) => l.includes('"msg":"node started"') || l.includes('"msg":"listening"'),
  );
  const port = (JSON.parse(line) as { port?: number }).port;
  if (!port) throw new Error(`no port in ${line}`);
  return { child, url: `http://127.0.0.1:${port}` };
}

async function until<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  redis = new Redis(testRedisUrl);
  const started = await spawnTs('src/simulator/cli.ts', ['--port', '0', '--no-media', '--log-level', 'error'], {}, (l) => l.startsWith('{'));
  sim = JSON.parse(started.line);
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await deleteKeysMatching(redis, `${prefix}:*`);
  redis.disconnect();
  await db?.close();
});

describe('two real nodes', () => {
  it('moves an instance to the surviving node when its owner is killed with SIGKILL, without QR and without a second socket', async () => {
    const [a, b] = await Promise.all([startNode('node-a'), startNode('node-b')]);
    const nodes: Record<string, { child: ChildProcess; url: string }> = { 'node-a': a, 'node-b': b };
    const control = new ControlClient(sim.controlUrl);

    const signup = await request(a.url).post('/auth/signup').send({ email: `mn-${randomBytes(4).toString('hex')}@example.com`, password: 'correct horse battery', tenantName: 'Multi Node' });
    expect(signup.status).toBe(201);
    const cookie = (signup.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('auth-session='))!.split(';')[0]!;
    const created = await request(a.url).post('/whatsapp/instances').set('Cookie', cookie).send({ name: 'Multi node' });
    expect(created.status).toBe(201);
    const id = created.body.data.instanceId as string;
    const get = (url: string) => request(url).get(`/whatsapp/instances/${id}`).set('Cookie', cookie);

    // The QR is visible through either node, whichever runs the socket.
    const qr = await until(async () => (await get(b.url)).body.data?.qrCode?.code as string | undefined, 15_000, 'QR');
    const phone = freshPhone();
    await control.scan(qr, phone, 'Multi');
    await until(async () => (await get(a.url)).body.data?.status === 'connected', 30_000, 'connected');

    // Leases read `<nodeId>#<bootId>`.
    const holderNode = async () => (await redis.get(`${prefix}:lease:${id}`))?.split('#')[0] ?? null;
    const owner = (await holderNode())!;
    expect(['node-a', 'node-b']).toContain(owner);
    const survivor = owner === 'node-a' ? 'node-b' : 'node-a';
    const mark = Number((await db.dataSource.query(`SELECT COALESCE(MAX(sequence), 0) AS s FROM webhook_events WHERE instance_id = $1`, [id]))[0].s);

    const killedAt = Date.now();
    nodes[owner]!.child.kill('SIGKILL');
    // From the moment the killed node counts as dead (its liveness key expired) until the survivor has the socket
    // open again, the API must never say `connected`: it says disconnected / node_lost.
    const seen: Array<{ status: string; statusReason: string | null; adopted: boolean }> = [];
    await until(
      async () => {
        const adopted = (await holderNode()) === survivor;
        const res = await get(nodes[survivor]!.url);
        const body = res.body.data as { status: string; statusReason: string | null; phone: string | null };
        if (Date.now() - killedAt > LIVENESS_TTL_MS + 300) seen.push({ status: body.status, statusReason: body.statusReason, adopted });
        return adopted && body.status === 'connected' && body.phone === `+${phone}`;
      },
      LEASE_TTL_MS + 15_000,
      'connected on the survivor',
    );
    expect(seen.filter((s) => s.status === 'connected' && !s.adopted)).toEqual([]);
    // (The window can be shorter than one poll when the survivor adopts at once; connection.update below proves it.)
    expect(seen.filter((s) => !s.adopted).every((s) => s.status === 'disconnected' && s.statusReason === 'node_lost')).toBe(true);
    // connection.update told both transitions: lost, then back.
    const after = await until(async () => {
      const rows = (await db.dataSource.query(
        `SELECT payload->>'status' AS status, payload->>'reason' AS reason FROM webhook_events WHERE instance_id = $1 AND event = 'connection.update' AND sequence > $2 ORDER BY sequence`,
        [id, mark],
      )) as Array<{ status: string; reason: string }>;
      return rows.some((r) => r.status === 'connected') ? rows : null;
    }, 10_000, 'connection.update after the kill');
    expect(after[0]).toEqual({ status: 'disconnected', reason: 'node_lost' });
    expect(after.at(-1)).toEqual({ status: 'connected', reason: 'connected' });
    const state = await until(async () => {
      const s = await control.state();
      const devices = s.phones.find((p) => p.phone === phone)?.devices ?? [];
      return devices.length === 1 && devices[0]!.connected ? devices : null;
    }, 15_000, 'one connected device');
    expect(state).toHaveLength(1);
    expect(Date.now() - killedAt).toBeLessThan(LEASE_TTL_MS + 20_000);

    // The new owner recorded itself on the instance row.
    const row = await until(async () => {
      const rows = await db.dataSource.query(`SELECT node_id, status FROM instances WHERE id = $1`, [id]);
      return rows[0]?.node_id === survivor ? rows[0] : null;
    }, 10_000, 'node_id of the survivor');
    expect(row).toEqual({ node_id: survivor, status: 'connected' });
    const statuses = await db.dataSource.query(
      `SELECT payload->>'status' AS status FROM webhook_events WHERE instance_id = $1 AND event = 'connection.update' ORDER BY sequence`,
      [id],
    );
    // One QR, connected, and after the move only connected again (no new QR).
    expect(statuses.map((r: { status: string }) => r.status).filter((s: string) => s === 'qr')).toHaveLength(1);

    // The survivor serves /metrics with the lease it acquired.
    const metrics = await request(nodes[survivor]!.url).get('/metrics');
    expect(metrics.text).toMatch(new RegExp(`zap_engine_lease_moves_total\\{node="${survivor}",event="acquired"\\} [1-9]`));
    expect(metrics.text).toContain('process_resident_memory_bytes');
  }, 150_000);
});

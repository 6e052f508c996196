/**
 * Faults, with real processes: the product (`src/main.ts`) runs on a PRIVATE Redis and a PRIVATE Postgres (their own
 * ports and data directories; the shared ones are never touched), against the simulator. During a 100-message send
 * burst and a 100-message inbound burst:
 *
 * - Redis is stopped for 5 s, then started again (append-only file on);
 * - Postgres is stopped (fast shutdown) for 5 s, then started again;
 * - the node running the instance is killed with SIGKILL while a second node runs (NODE_LIVENESS_TTL_MS short).
 *
 * Each time: every send is accepted exactly once (the client retries 503s with the same Idempotency-Key, as
 * Retry-After asks), the contact receives each text exactly once, every inbound message is stored exactly once,
 * the API answers nothing but 202 and 503 (with Retry-After) while the dependency is away, /ready names it, and
 * everything resumes by itself.
 */
import { jest } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { ControlClient } from '../../src/simulator/control/control-client.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { freshPhone } from '../support/engine-app.js';
import { eventually } from '../support/messaging.js';
import { startProductProcess } from '../support/product-process.js';
import { startPrivatePostgres, startPrivateRedis, type PrivateDependency } from '../support/private-dependencies.js';

jest.setTimeout(150_000);

const LIVENESS_TTL_MS = 1500;

/** PRODUCT_LOG_DIR=<dir> (see product-process.ts): the simulator's log goes to <dir>/simulator.log too. */
function simulatorLog(): { logger?: pino.Logger } {
  const dir = process.env.PRODUCT_LOG_DIR;
  return dir ? { logger: pino({ level: 'debug' }, pino.destination({ dest: join(dir, 'simulator.log'), mkdir: true, sync: true })) } : {};
}
let sim: RunningSimulator;
let redis: PrivateDependency;
let postgres: PrivateDependency;
let control: ControlClient;
const nodes = new Map<string, { child: ChildProcess; url: string }>();
let cookie = '';
let instanceId = '';
let phone = '';
let contact = '';

async function startNode(nodeId: string): Promise<{ child: ChildProcess; url: string }> {
  const { child, url } = await startProductProcess({
    nodeId,
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    redisPrefix: 'zapfaults',
    sim,
    env: {
      NODE_LIVENESS_TTL_MS: String(LIVENESS_TTL_MS),
      LEASE_TTL_MS: '30000',
      SEND_JOB_LOCK_MS: '2000',
      SEND_RATE_PER_SECOND: '0',
    },
  });
  const node = { child, url };
  nodes.set(nodeId, node);
  return node;
}

async function call(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(cookie ? { cookie } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as { data?: Record<string, unknown>; error?: { code: string } } };
}

/** Rows of the private Postgres (retried while it is away). */
async function query<T>(sql: string, params: unknown[]): Promise<T[]> {
  return eventually(async () => {
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }, 30_000, 250);
}

interface BurstOutcome {
  /** Every answer that was not 202, with whether it carried Retry-After. */
  refusals: Array<{ status: number; code: string | undefined; retryAfter: string | null }>;
  inboundIds: string[];
}

/**
 * 100 sends (5 at a time, each retried on 503 with its Idempotency-Key) and 100 inbound messages (the contact writes
 * to the instance's number), with `fault` run once 20 sends were accepted. `api` picks the node to call.
 */
async function burst(label: string, fault: () => Promise<void>, api: () => string): Promise<BurstOutcome> {
  const refusals: BurstOutcome['refusals'] = [];
  let accepted = 0;
  let faultRun: Promise<void> | null = null;
  const send = async (i: number): Promise<void> => {
    for (;;) {
      const res = await call(api(), 'POST', `/whatsapp/instances/${instanceId}/send-text`, { to: contact, message: `${label}-out-${i}` }, { 'idempotency-key': `${label}-${i}` }).catch(
        () => ({ status: 0, headers: new Headers(), body: {} as { error?: { code: string } } }),
      );
      if (res.status === 202) break;
      // 0: no HTTP answer at all (the node called was just killed); the client tries again, on the next node.
      if (res.status !== 0) refusals.push({ status: res.status, code: res.body.error?.code, retryAfter: res.headers.get('retry-after') });
      await new Promise((r) => setTimeout(r, 300)); // Retry-After says 5 s; the test retries sooner
    }
    accepted += 1;
    if (accepted === 20) faultRun = fault();
  };
  const outbound = (async () => {
    let next = 0;
    await Promise.all(Array.from({ length: 5 }, async () => {
      while (next < 100) await send(next++);
    }));
  })();
  const inbound = (async () => {
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      ids.push((await control.sendFromContact(contact, { to: phone, text: `${label}-in-${i}` })).id);
      await new Promise((r) => setTimeout(r, 60)); // ~6 s of inbound traffic, across the fault
    }
    return ids;
  })();
  const [, inboundIds] = await Promise.all([outbound, inbound]);
  await faultRun;
  return { refusals, inboundIds };
}

/**
 * The contact got each `<label>-out-<i>` exactly once; every inbound id is stored exactly once, but for at most
 * `inboundLossAllowed` (see the kill test).
 */
async function expectNothingLostNorDuplicated(label: string, inboundIds: string[], inboundLossAllowed = 0): Promise<void> {
  const expected = Array.from({ length: 100 }, (_, i) => `${label}-out-${i}`);
  await eventually(async () => {
    const texts = (await control.inbox(contact)).map((m) => m.text ?? '').filter((t) => t.startsWith(`${label}-out-`));
    if (texts.length < 100) throw new Error(`${texts.length} of 100 delivered`);
  }, 60_000, 500);
  await eventually(async () => {
    const rows = await query<{ n: string }>(`SELECT count(*) AS n FROM messages WHERE instance_id = $1 AND from_me = false AND wa_message_id = ANY($2)`, [instanceId, inboundIds]);
    if (Number(rows[0]?.n) < 100 - inboundLossAllowed) throw new Error(`${rows[0]?.n} of 100 stored`);
  }, inboundLossAllowed ? 20_000 : 60_000, 500).catch(() => undefined); // the assertion below says what is missing
  await new Promise((r) => setTimeout(r, 2000)); // a duplicate would arrive now
  const texts = (await control.inbox(contact)).map((m) => m.text ?? '').filter((t) => t.startsWith(`${label}-out-`));
  const duplicated = texts.filter((t, i) => texts.indexOf(t) !== i);
  const missing = expected.filter((t) => !texts.includes(t));
  const stored = await query<{ wa_message_id: string }>(`SELECT wa_message_id FROM messages WHERE instance_id = $1 AND from_me = false AND wa_message_id = ANY($2)`, [instanceId, inboundIds]);
  const outgoing = await query<{ n: string }>(`SELECT count(*) AS n FROM messages WHERE instance_id = $1 AND from_me = true AND text LIKE $2`, [instanceId, `${label}-out-%`]).catch(() => null);
  const missingInbound = inboundIds.filter((id) => !stored.some((r) => r.wa_message_id === id));
  expect({ duplicated, missing, storedInbound: stored.length }).toEqual({ duplicated: [], missing: [], storedInbound: 100 - missingInbound.length });
  expect(missingInbound.length).toBeLessThanOrEqual(inboundLossAllowed);
  if (missingInbound.length > 0) process.stderr.write(`[${label}] inbound lost: ${missingInbound.length} (acked by Baileys before stored)\n`);
  if (outgoing) expect(Number(outgoing[0]?.n)).toBe(100);
}

function expectOnly503s(refusals: BurstOutcome['refusals']): void {
  const bad = refusals.filter((r) => r.status !== 503 || r.code !== 'SERVICE_UNAVAILABLE' || r.retryAfter === null);
  expect(bad).toEqual([]);
}

beforeAll(async () => {
  [redis, postgres, sim] = await Promise.all([startPrivateRedis(), startPrivatePostgres(), startSimulator({ seed: `faults-${process.pid}`, ...simulatorLog() })]);
  control = new ControlClient(sim.controlUrl);
  const a = await startNode('faults-a');
  const signup = await fetch(`${a.url}/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `faults-${process.pid}@example.com`, password: 'correct horse battery', tenantName: 'Faults Ltda' }),
  });
  expect(signup.status).toBe(201);
  cookie = (signup.headers.get('set-cookie') ?? '').split(';')[0]!;
  instanceId = (await call(a.url, 'POST', '/whatsapp/instances', { name: 'Faults' })).body.data!.instanceId as string;
  phone = freshPhone();
  const qr = await eventually(async () => {
    const code = ((await call(a.url, 'GET', `/whatsapp/instances/${instanceId}`)).body.data?.qrCode as { code?: string } | undefined)?.code;
    if (!code) throw new Error('no QR yet');
    return code;
  }, 30_000, 200);
  await control.scan(qr, phone, 'Faults Phone');
  await eventually(async () => {
    const status = (await call(a.url, 'GET', `/whatsapp/instances/${instanceId}`)).body.data?.status;
    if (status !== 'connected') throw new Error(String(status));
  }, 30_000, 200);
  contact = freshPhone();
  await control.createContact(contact, 'Counter');
}, 120_000);

afterAll(async () => {
  for (const { child } of nodes.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.allSettled([redis?.destroy(), postgres?.destroy(), sim?.close()]);
});

const url = (id: string) => nodes.get(id)!.url;

describe('dependency faults during a send burst and an inbound burst', () => {
  it('Redis stopped for 5 s: only 503s (Retry-After) while away, /ready names it, 0 lost, 0 duplicated, the socket stays up', async () => {
    let readyWhileDown: { status: number; body: unknown } | null = null;
    const { refusals, inboundIds } = await burst(
      'redis',
      async () => {
        await redis.stop();
        const ready = await call(url('faults-a'), 'GET', '/ready');
        readyWhileDown = { status: ready.status, body: ready.body };
        await new Promise((r) => setTimeout(r, 5000));
        await redis.start();
      },
      () => url('faults-a'),
    );
    expect(readyWhileDown).toMatchObject({ status: 503, body: { error: { code: 'SERVICE_UNAVAILABLE', details: { down: ['redis'] } } } });
    expectOnly503s(refusals);
    // On a loaded machine one inbound message in 100 was once lost while Redis was away: a Signal key read failed,
    // Baileys could not decrypt, answered a retry receipt, and the simulator (unlike WhatsApp) dropped the message.
    // Key reads now wait for Redis like writes, and the simulator resends on retry receipts: nothing may be lost.
    await expectNothingLostNorDuplicated('redis', inboundIds);
    expect((await call(url('faults-a'), 'GET', '/ready')).status).toBe(200);
    const state = await control.state();
    expect(state.phones.find((p) => p.phone === phone)?.devices.filter((d) => d.connected)).toHaveLength(1);
  });

  it('Postgres restarted (down 5 s): only 503s (Retry-After) while away, /ready names it, 0 lost, 0 duplicated', async () => {
    let readyWhileDown: { status: number; body: unknown } | null = null;
    const { refusals, inboundIds } = await burst(
      'pg',
      async () => {
        await postgres.stop();
        const ready = await call(url('faults-a'), 'GET', '/ready');
        readyWhileDown = { status: ready.status, body: ready.body };
        await new Promise((r) => setTimeout(r, 5000));
        await postgres.start();
      },
      () => url('faults-a'),
    );
    expect(readyWhileDown).toMatchObject({ status: 503, body: { error: { code: 'SERVICE_UNAVAILABLE', details: { down: ['postgres'] } } } });
    expectOnly503s(refusals);
    await expectNothingLostNorDuplicated('pg', inboundIds);
    await eventually(async () => {
      if ((await call(url('faults-a'), 'GET', '/ready')).status !== 200) throw new Error('not ready');
    }, 30_000, 250);
  });

  // What this test found, and what was fixed (README "Operations"): a send delivered twice (the simulator shows a
  // resent id once); a re-taken job whose row read `sent` skipped, though the stanza never left the killed machine; a
  // send committed but not enqueued by the killed node; Signal sessions out of step (retry receipts, kept for the
  // device when its socket died); session updates lost by Baileys/libsignal transactions (session-serializer.ts);
  // inbound messages receipted but not stored (the survivor replays the dead node's journal) and redelivered ones
  // decrypted twice (the tap hands Baileys the journaled plaintext). Debug: PRODUCT_LOG_DIR=<dir> PRODUCT_LOG_LEVEL=debug.
  it('the node running the instance is killed during the bursts while a second node runs: 0 lost, 0 duplicated, never a stale connected', async () => {
    await startNode('faults-b');
    const killedAt = { t: 0 };
    const seen: Array<{ at: number; status: unknown; reason: unknown }> = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const res = await call(url('faults-b'), 'GET', `/whatsapp/instances/${instanceId}`).catch(() => null);
        if (res?.status === 200) seen.push({ at: Date.now(), status: res.body.data?.status, reason: res.body.data?.statusReason });
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      const { refusals, inboundIds } = await burst(
        'kill',
        async () => {
          killedAt.t = Date.now();
          nodes.get('faults-a')!.child.kill('SIGKILL');
        },
        () => (killedAt.t ? url('faults-b') : url('faults-a')),
      );
      expectOnly503s(refusals);
      // Baileys receipts a message before it hands it to us: one receipted by the killed node but not yet stored is
      // not redelivered by WhatsApp; the survivor replays it from the inbound journal (Redis) before its socket opens.
      await expectNothingLostNorDuplicated('kill', inboundIds);
    } finally {
      polling = false; // a failed assertion must not leave the poller running (jest would never exit)
      await poller;
    }
    // The survivor took the instance over: one device connected, the API says connected again.
    const state = await control.state();
    expect(state.phones.find((p) => p.phone === phone)?.devices.filter((d) => d.connected)).toHaveLength(1);
    expect((await call(url('faults-b'), 'GET', `/whatsapp/instances/${instanceId}`)).body.data).toMatchObject({ status: 'connected' });
    // Never stale: after the kill, `node_lost` is shown before the survivor's `connected` (it reopened the socket),
    // and the dead node's `connected` is never shown once it counts as dead (its liveness TTL, + one poll). The
    // survivor runs on the same machine, so it may prove the dead node gone (pid) and adopt well before the TTL.
    const sinceKill = seen.filter((s) => s.at > killedAt.t);
    const firstLost = sinceKill.findIndex((s) => s.status === 'disconnected' && s.reason === 'node_lost');
    const staleConnected = sinceKill.slice(0, firstLost === -1 ? undefined : firstLost).filter((s) => s.status === 'connected' && s.at > killedAt.t + LIVENESS_TTL_MS + 300);
    const transitions = sinceKill.filter((s, i) => i === 0 || s.status !== sinceKill[i - 1]!.status || s.reason !== sinceKill[i - 1]!.reason).map((s) => `${s.at - killedAt.t}ms ${String(s.status)}/${String(s.reason)}`);
    expect({ nodeLostSeen: firstLost >= 0, staleConnected: staleConnected.length, transitions }).toEqual({ nodeLostSeen: true, staleConnected: 0, transitions });
  });
});

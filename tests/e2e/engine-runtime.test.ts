import type { Redis } from 'ioredis';
import type { EngineEvent } from '../../src/engine/engine-types.js';
import { InstanceRuntime } from '../../src/engine/instance-runtime.js';
import { connectRedis, deleteUnder, keysUnder, uniquePrefix } from '../engine/support/redis.js';
import { makeRuntime, nextPhone, startSimHarness, type SimHarness, type StatusRecorder } from '../engine/support/engine-harness.js';

const prefix = uniquePrefix('e2e-engine-runtime');
let h: SimHarness;
let redis: Redis;
const runtimes: InstanceRuntime[] = [];

beforeAll(async () => {
  h = await startSimHarness(`engine-runtime-${process.pid}`);
  redis = connectRedis();
});
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  await deleteUnder(redis, prefix);
  redis.disconnect();
  await h.close();
});

function runtime(instanceId: string, over: Parameters<typeof makeRuntime>[4] = {}) {
  const made = makeRuntime(h, redis, prefix, instanceId, over);
  runtimes.push(made.runtime);
  return made;
}

/** create → QR → scan → connected (through the 515 restart). */
async function pair(instanceId: string, phone = nextPhone()) {
  const made = runtime(instanceId);
  const started = Date.now();
  await made.runtime.start();
  const qr = await made.recorder.waitFor((c) => c.status === 'qr');
  const qrAfterMs = Date.now() - started;
  await h.control.scan(qr.qr!.code, phone, 'Engine Phone');
  const connected = await made.recorder.waitFor((c) => c.status === 'connected');
  return { ...made, phone, qr, connected, qrAfterMs };
}

const statuses = (r: StatusRecorder, from = 0) => r.changes.slice(from).map((c) => `${c.status}/${c.reason}`);

describe('engine e2e: one instance against the simulator', () => {
  it('shows a QR, pairs through the 515 restart, and connects with the phone', async () => {
    const { qr, connected, phone, recorder } = await pair('pair-1');
    expect(qr.qr).toMatchObject({ attempt: 1, maxAttempts: 6, attemptId: 'qr_attempt_1', expirySeconds: 20 });
    expect(qr.qr!.code).toMatch(/^https:\/\/wa\.me\/settings\/linked_devices#/);
    expect(qr.qr!.base64).toMatch(/^data:image\/png;base64,/);
    expect(qr.qr!.expiresAt).toBeGreaterThan(Date.now());
    expect(connected.phone).toBe(`+${phone}`);
    expect(connected.jid).toBe(`${phone}@s.whatsapp.net`);
    expect(connected.qr).toBeUndefined();
    // The 515 restart is invisible: nothing between the QR and connected.
    expect(statuses(recorder)).toEqual(['qr/qr', 'connected/connected']);
    expect((await keysUnder(redis, `${prefix}:auth:pair-1`)).length).toBeGreaterThan(2);
  });

  it('expires the QR after the max attempts, then regenerateQr starts a new cycle', async () => {
    const { runtime: rt, recorder } = runtime('qr-expiry', { qrTtlMs: 250, qrMaxAttempts: 3 });
    await rt.start();
    const expired = await recorder.waitFor((c) => c.status === 'disconnected', 30_000);
    expect(expired.reason).toBe('qr_expired');
    expect(statuses(recorder)).toEqual(['qr/qr', 'qr/qr', 'qr/qr', 'disconnected/qr_expired']);
    expect(recorder.changes.map((c) => c.qr?.attemptId)).toEqual(['qr_attempt_1', 'qr_attempt_2', 'qr_attempt_3', undefined]);
    expect(rt.running).toBe(false);

    const mark = recorder.mark();
    await rt.regenerateQr();
    const again = await recorder.waitFor((c) => c.status === 'qr', 10_000, mark);
    expect(again.qr!.attempt).toBe(1);
    await recorder.waitFor((c) => c.reason === 'qr_expired', 30_000, mark);
  });

  it('renews QR refs with a new socket when the server runs out before our cycle ends', async () => {
    // The simulator gives 6 refs per socket; a cycle of 8 needs a second socket, unnoticed.
    const { runtime: rt, recorder } = runtime('qr-refs', { qrTtlMs: 150, qrMaxAttempts: 8 });
    await rt.start();
    await recorder.waitFor((c) => c.reason === 'qr_expired', 30_000); // PNG rendering is slow under Jest
    expect(recorder.changes.filter((c) => c.status === 'qr').map((c) => c.qr!.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('restarts with the saved creds: no QR, connected again', async () => {
    const { runtime: rt, recorder } = await pair('restart-1');
    const mark = recorder.mark();
    await rt.restart();
    await recorder.waitFor((c) => c.status === 'connected', 15_000, mark);
    expect(statuses(recorder, mark)).toEqual(['disconnected/restarting', 'connected/connected']);
  });

  it('a new runtime (process restart) reconnects from Redis without a QR', async () => {
    const { runtime: first, phone } = await pair('reboot-1');
    await first.close();
    const { runtime: second, recorder } = runtime('reboot-1');
    await second.start();
    const connected = await recorder.waitFor((c) => c.status === 'connected');
    expect(connected.phone).toBe(`+${phone}`);
    expect(statuses(recorder)).toEqual(['connected/connected']);
  });

  it('logged out from the phone (kick logged_out): auth wiped, disconnected/logged_out, no reconnect', async () => {
    const { runtime: rt, recorder, phone } = await pair('kick-logout');
    const mark = recorder.mark();
    await h.control.kick(phone, 'logged_out');
    const change = await recorder.waitFor((c) => c.status === 'disconnected', 10_000, mark);
    expect(change.reason).toBe('logged_out');
    expect(change.phone).toBeNull();
    await new Promise((r) => setTimeout(r, 300));
    expect(await keysUnder(redis, `${prefix}:auth:kick-logout`)).toEqual([]);
    expect(rt.running).toBe(false);
  });

  it('banned (kick banned): status banned, no reconnect', async () => {
    const { runtime: rt, recorder, phone } = await pair('kick-ban');
    const mark = recorder.mark();
    await h.control.kick(phone, 'banned');
    const change = await recorder.waitFor((c) => c.status === 'banned', 10_000, mark);
    expect(change.reason).toBe('banned');
    await new Promise((r) => setTimeout(r, 300));
    expect(rt.running).toBe(false);
    expect(statuses(recorder, mark)).toEqual(['banned/banned']);
  });

  it('replaced (kick replaced): disconnected/replaced, no reconnect loop', async () => {
    const { runtime: rt, recorder, phone } = await pair('kick-replaced');
    const mark = recorder.mark();
    await h.control.kick(phone, 'replaced');
    await recorder.waitFor((c) => c.reason === 'replaced', 10_000, mark);
    await new Promise((r) => setTimeout(r, 500));
    expect(rt.running).toBe(false);
    expect(statuses(recorder, mark)).toEqual(['disconnected/replaced']);
  });

  it('network drop: reconnects by itself with the saved creds, silently', async () => {
    const { runtime: rt, recorder, phone } = await pair('kick-network');
    const mark = recorder.mark();
    const socketCloses: Array<number | undefined> = [];
    rt.on('socket-close', (info) => socketCloses.push(info.statusCode));
    await h.control.kick(phone, 'network');
    await until(async () => {
      const state = await h.control.state();
      return socketCloses.length > 0 && Boolean(state.phones.find((p) => p.phone === phone)?.devices[0]?.connected);
    });
    expect(rt.connected || (await waitConnected(rt))).toBe(true);
    expect(statuses(recorder, mark).filter((s) => s !== 'connected/connected')).toEqual([]);
  });

  it('service unavailable (kick unavailable, 503): backs off and reconnects, silently', async () => {
    const { runtime: rt, recorder, phone } = await pair('kick-503');
    const mark = recorder.mark();
    const closes: Array<number | undefined> = [];
    rt.on('socket-close', (info) => closes.push(info.statusCode));
    await h.control.kick(phone, 'unavailable');
    await until(() => closes.length > 0 && rt.connected);
    expect(closes[0]).toBe(503);
    expect(statuses(recorder, mark).filter((s) => s !== 'connected/connected')).toEqual([]);
  });

  it('server restart request (kick restart, 515) reconnects at once without a status change', async () => {
    const { runtime: rt, recorder, phone } = await pair('kick-515');
    const mark = recorder.mark();
    const closes: Array<number | undefined> = [];
    rt.on('socket-close', (info) => closes.push(info.statusCode));
    await h.control.kick(phone, 'restart');
    await until(() => closes.includes(515) && rt.connected);
    expect(statuses(recorder, mark).filter((s) => s !== 'connected/connected')).toEqual([]);
  });

  it('logout(): unlinks the device on the phone and wipes the auth state', async () => {
    const { runtime: rt, recorder, phone } = await pair('logout-1');
    const mark = recorder.mark();
    await rt.logout();
    expect(statuses(recorder, mark)).toEqual(['disconnected/logged_out']);
    expect(await keysUnder(redis, `${prefix}:auth:logout-1`)).toEqual([]);
    await until(async () => {
      const state = await h.control.state();
      return (state.phones.find((p) => p.phone === phone)?.devices ?? []).length === 0;
    });
  });

  it('checks numbers, sends with the caller’s message id, and passes WhatsApp events on as plain data', async () => {
    const { runtime: rt, phone } = await pair('send-1');
    const events: EngineEvent[] = [];
    rt.on('event', (e) => events.push(e));
    const contact = await h.control.createContact(`5521${String(process.pid % 10_000).padStart(4, '0')}0001`, 'Bob');
    await expect(rt.run('on-whatsapp', { phone: `+${contact.phone}` })).resolves.toMatchObject({ exists: true });
    const sent = await rt.run('send', { jid: contact.jid, content: { type: 'text', text: 'hello from the engine' }, messageId: '3EB0ENGINE0001' });
    expect(sent.messageId).toBe('3EB0ENGINE0001');
    await until(async () => (await h.control.inbox(contact.phone)).some((m) => m.id === '3EB0ENGINE0001'));
    const inbox = await h.control.inbox(contact.phone);
    expect(inbox.find((m) => m.id === '3EB0ENGINE0001')?.text).toBe('hello from the engine');

    // Receipts for our message, a message in, and typing: all arrive as plain engine events.
    await h.control.receipts(contact.phone, phone, ['3EB0ENGINE0001'], 'read');
    const { id: inboundId } = await h.control.sendFromContact(contact.phone, { to: phone, text: 'hi engine' });
    await h.control.presence(contact.phone, phone, 'composing');
    await until(() =>
      events.some((e) => e.name === 'messages.upsert' && e.data.messages.some((m) => m.key.id === inboundId)) &&
      // Baileys' event buffer may fold the receipt into the (append) upsert of our own message.
      events.some(
        (e) =>
          (e.name === 'messages.update' && e.data.some((u) => u.key.id === '3EB0ENGINE0001' && u.status === 'read')) ||
          (e.name === 'messages.upsert' && e.data.messages.some((m) => m.key.id === '3EB0ENGINE0001' && m.status === 'read')),
      ) &&
      events.some((e) => e.name === 'presence.update'),
    ).catch((err: Error) => {
      throw new Error(`${err.message}; events: ${JSON.stringify(events.map((e) => [e.name, e.data]))}`);
    });
    const upsert = events.find((e) => e.name === 'messages.upsert' && e.data.messages.some((m) => m.key.id === inboundId));
    const inbound = upsert?.name === 'messages.upsert' ? upsert.data.messages.find((m) => m.key.id === inboundId) : undefined;
    expect(inbound).toMatchObject({ key: { fromMe: false, id: inboundId }, text: 'hi engine', pushName: expect.any(String) });
    expect(JSON.parse(JSON.stringify(inbound))).toEqual(inbound);
  });
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitConnected(rt: InstanceRuntime): Promise<boolean> {
  await until(() => rt.connected);
  return true;
}

/**
 * Engine errors answer the same on every route (one mapping, http/domain-errors.ts): busy → 409 INSTANCE_BUSY, a
 * command nobody answers → 504 COMMAND_TIMEOUT, no node running sockets → 503. Shown on the two message routes that
 * call the engine directly: GET .../numbers/{phone} and POST .../chats/{jid}/read.
 *
 * The real app and the real supervisor (createNode, as main.ts wires it); the runtimes are the suite's FakeRuntime
 * (tests/engine/support), whose operations fail the way a busy instance does.
 */
import request from 'supertest';
import { BusyError } from '../../src/engine/engine-errors.js';
import { createInstance, signup } from '../support/factories.js';
import { startEngineApp, type EngineApp } from '../support/engine-app.js';
import { FakeRuntime } from '../engine/support/fake-runtime.js';

const CHAT = '5511988043592@s.whatsapp.net';

let worker: EngineApp;
let apiOnly: EngineApp;

beforeAll(async () => {
  worker = await startEngineApp({
    engineOverrides: {
      supervisorOverrides: {
        createRuntime: (id) => {
          const runtime = new FakeRuntime(id);
          runtime.runError = new BusyError(id, 'restart');
          return runtime;
        },
        // Commands to a node that never answers give up quickly; no background adoption during the test.
        commandTimeoutMs: 1500,
        syncIntervalMs: 600_000,
      },
    },
  });
  // ROLE=api on its own Redis prefix: no node runs sockets for it.
  apiOnly = await startEngineApp({ simulator: worker.sim, env: { ROLE: 'api' } });
}, 120_000);

afterAll(async () => {
  await apiOnly?.close();
  await worker?.close();
});

/** An unread inbound message in CHAT, so marking the chat read sends receipts through the engine. */
async function unreadInbound(e: EngineApp, instanceId: string): Promise<void> {
  await e.services.repositories.messages.insertManyIfAbsent([
    { instanceId, waMessageId: `IN${Date.now()}`, chatJid: CHAT, fromMe: false, senderJid: CHAT, type: 'text', text: 'oi', messageTimestamp: new Date() },
  ]);
}

async function both(e: EngineApp, cookie: string, instanceId: string) {
  await unreadInbound(e, instanceId);
  const lookup = await request(e.app).get(`/whatsapp/instances/${instanceId}/numbers/5511988043592`).set('Cookie', cookie);
  const read = await request(e.app).post(`/whatsapp/instances/${instanceId}/chats/${encodeURIComponent(CHAT)}/read`).set('Cookie', cookie);
  return [lookup, read];
}

describe('engine errors on the message routes', () => {
  it('busy instance → 409 INSTANCE_BUSY', async () => {
    const owner = await signup(worker.app);
    const { instanceId } = await createInstance(worker.app, owner.cookie);
    for (const res of await both(worker, owner.cookie, instanceId)) {
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ success: false, error: { code: 'INSTANCE_BUSY' } });
    }
  });

  it('owning node does not answer → 504 COMMAND_TIMEOUT', async () => {
    const owner = await signup(worker.app);
    const { instanceId } = await createInstance(worker.app, owner.cookie);
    // The instance now belongs to a node that is gone without releasing its lease.
    await worker.node.engine.control.stop(instanceId);
    await worker.redis.redis.set(`${worker.prefix}:lease:${instanceId}`, 'node-that-died', 'PX', 60_000);
    for (const res of await both(worker, owner.cookie, instanceId)) {
      expect(res.status).toBe(504);
      expect(res.body).toMatchObject({ success: false, error: { code: 'COMMAND_TIMEOUT' } });
    }
  });

  it('no node runs sockets → 503', async () => {
    const owner = await signup(apiOnly.app);
    const { instanceId } = await createInstance(apiOnly.app, owner.cookie);
    for (const res of await both(apiOnly, owner.cookie, instanceId)) {
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ success: false, error: { code: 'SERVICE_UNAVAILABLE' } });
    }
  });
});

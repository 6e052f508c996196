import { jest } from '@jest/globals';
import request from 'supertest';
import { createInstance, signup } from '../support/factories.js';
import { startEngineApp, type EngineApp } from '../support/engine-app.js';
import { api, eventually, messagingEnv, newContact, waitForStatus } from '../support/messaging.js';

jest.setTimeout(120_000);

let e: EngineApp;
/** One tenant per instance (the starter plan allows one). */
let cookie: string;

/** Paced at 2 messages per second per instance. */
beforeAll(async () => {
  e = await startEngineApp({ env: messagingEnv({ SEND_RATE_PER_SECOND: '2' }) });
});
afterAll(async () => {
  await e?.close();
});

async function connected(): Promise<{ instanceId: string; phone: string }> {
  cookie = (await signup(e.app)).cookie;
  const { instanceId } = await createInstance(e.app, cookie);
  const { phone } = await e.pair(cookie, instanceId);
  return { instanceId, phone };
}

const send = (instanceId: string, to: string, message: string) =>
  api(e.app, cookie).post(`/whatsapp/instances/${instanceId}/send-text`, { to, message });

describe('messaging e2e: pacing, waiting, disconnect', () => {
  it('paces one instance at SEND_RATE_PER_SECOND (lower bound) and keeps order', async () => {
    const { instanceId } = await connected();
    const contact = await newContact(e, 'Paced');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await send(instanceId, contact, `paced ${i}`)).body.data.messageId);
    const rows = [];
    for (const id of ids) rows.push(await waitForStatus(e.app, cookie, instanceId, id, ['sent', 'delivered', 'read'], 30_000));
    const times = rows.map((r) => Date.parse(r.sentAt as string));
    // 5 messages at 2/s: at least two full windows between the first and the last.
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(1800);
    expect((await e.control.inbox(contact)).map((i) => i.text)).toEqual(ids.map((_, i) => `paced ${i}`));
  });

  it('a message for a disconnected instance waits, then goes out after the reconnect', async () => {
    const { instanceId, phone } = await connected();
    const contact = await newContact(e, 'Waiter');
    await e.control.kick(phone, 'replaced');
    await e.waitForInstance(cookie, instanceId, (i) => i.status === 'disconnected');
    const res = await send(instanceId, contact, 'sent after the reconnect');
    expect(res.status).toBe(202);
    await new Promise((r) => setTimeout(r, 2500));
    const waiting = await api(e.app, cookie).get(`/whatsapp/instances/${instanceId}/messages/${res.body.data.messageId}`);
    expect(waiting.body.data.status).toBe('queued');
    expect(await e.control.inbox(contact)).toEqual([]);

    const restarted = await request(e.app).post(`/whatsapp/instances/${instanceId}/restart`).set('Cookie', cookie);
    expect(restarted.status).toBeLessThan(300);
    await e.waitForInstance(cookie, instanceId, (i) => i.status === 'connected', 30_000);
    await waitForStatus(e.app, cookie, instanceId, res.body.data.messageId, ['sent', 'delivered', 'read'], 30_000);
    const inbox = await eventually(async () => {
      const items = await e.control.inbox(contact);
      if (items.length === 0) throw new Error('empty');
      return items;
    });
    expect(inbox.map((i) => i.text)).toEqual(['sent after the reconnect']);
  });

  it('disconnect (logout) fails the pending messages with a reason', async () => {
    const { instanceId, phone } = await connected();
    const contact = await newContact(e, 'Pending');
    await e.control.kick(phone, 'replaced');
    await e.waitForInstance(cookie, instanceId, (i) => i.status === 'disconnected');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await send(instanceId, contact, `never ${i}`)).body.data.messageId as string);
    const res = await request(e.app).post(`/whatsapp/instances/${instanceId}/disconnect`).set('Cookie', cookie);
    expect(res.status).toBeLessThan(300);
    for (const id of ids) {
      const failed = await waitForStatus(e.app, cookie, instanceId, id, ['failed'], 30_000);
      expect(failed.errorCode).toBe('instance_disconnected');
    }
    const events = await e.services.repositories.webhookEvents.listAfter(instanceId, 0, 1000);
    const failures = events.filter((ev) => ev.event === 'messages.update' && (ev.payload as { status: string }).status === 'error');
    expect(failures.length).toBe(3);
    expect(await e.control.inbox(contact)).toEqual([]);
  });
});

import { jest } from "@jest/globals";
import { api, eventually, newContact, startPaired, waitForStatus, type PairedTenant } from '../support/messaging.js';
import { signup } from '../support/factories.js';
import { RedisAuthState } from '../../src/engine/redis-auth-state.js';
import { freshPhone } from '../support/engine-app.js';
jest.setTimeout(90_000);


let t: PairedTenant;

beforeAll(async () => {
  t = await startPaired();
});
afterAll(async () => {
  await t?.e.close();
});

const base = () => `/whatsapp/instances/${t.instanceId}`;

describe('messaging e2e: text', () => {
  it('send-text: 202 queued at once, the contact receives it, status moves sent → delivered → read with receipts', async () => {
    const contact = await newContact(t.e, 'Maria');
    const written = `+${contact.slice(0, 2)} (${contact.slice(2, 4)}) ${contact.slice(4, 9)}-${contact.slice(9)}`;
    const res = await api(t.e.app, t.cookie).post(`${base()}/send-text`, { to: written, message: 'Olá! Esta é uma mensagem de teste.' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ success: true, data: { messageId: expect.stringMatching(/^msg_/), status: 'queued' } });
    const messageId = res.body.data.messageId as string;

    const sent = await waitForStatus(t.e.app, t.cookie, t.instanceId, messageId, ['sent', 'delivered', 'read']);
    expect(sent).toMatchObject({ fromMe: true, type: 'text', chatJid: `${contact}@s.whatsapp.net`, text: 'Olá! Esta é uma mensagem de teste.' });
    const waId = sent.waMessageId as string;
    const inbox = await eventually(async () => {
      const items = await t.e.control.inbox(contact);
      if (items.length !== 1) throw new Error(`inbox has ${items.length}`);
      return items;
    });
    expect(inbox[0]).toMatchObject({ id: waId, from: t.phone, type: 'text', text: 'Olá! Esta é uma mensagem de teste.' });

    await t.e.control.receipts(contact, t.phone, [waId], 'delivered');
    await waitForStatus(t.e.app, t.cookie, t.instanceId, messageId, ['delivered', 'read']);
    await t.e.control.receipts(contact, t.phone, [waId], 'read');
    const read = await waitForStatus(t.e.app, t.cookie, t.instanceId, messageId, ['read']);
    expect(read.sentAt).toEqual(expect.any(String));
    expect(read.deliveredAt).toEqual(expect.any(String));
    expect(read.readAt).toEqual(expect.any(String));

    // the same message by its WhatsApp id
    const byWa = await api(t.e.app, t.cookie).get(`${base()}/messages/${waId}`);
    expect(byWa.body.data.id).toBe(messageId);
  });

  it('inbound text is stored once, listed in chats and chat messages; POST read sends read receipts', async () => {
    const contact = await newContact(t.e, 'Bruno');
    const { id } = await t.e.control.sendFromContact(contact, { to: t.phone, text: 'oi, tudo bem?' });
    const chatJid = `${contact}@s.whatsapp.net`;
    const messages = await eventually(async () => {
      const res = await api(t.e.app, t.cookie).get(`${base()}/chats/${chatJid}/messages`);
      if (res.status !== 200 || res.body.data.total !== 1) throw new Error(`messages: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.data;
    });
    expect(messages.items[0]).toMatchObject({ waMessageId: id, fromMe: false, type: 'text', text: 'oi, tudo bem?', pushName: 'Bruno', status: 'delivered' });

    const chats = await api(t.e.app, t.cookie).get(`${base()}/chats?pageSize=100`);
    const chat = chats.body.data.items.find((c: { jid: string }) => c.jid === chatJid);
    expect(chat).toMatchObject({ jid: chatJid, phone: `+${contact}`, isGroup: false, unreadCount: 1, archived: false, pinned: false, muted: false });
    expect(chat.lastMessageTime).toEqual(expect.any(String));

    const read = await api(t.e.app, t.cookie).post(`${base()}/chats/${contact}/read`);
    expect(read.status).toBe(200);
    expect(read.body.data).toEqual({ jid: chatJid, marked: 1 });
    await eventually(async () => {
      const receipts = await t.e.control.receiptsReceived(contact);
      if (!receipts.some((r) => r.id === id && r.type === 'read')) throw new Error(JSON.stringify(receipts));
    });
    const after = await api(t.e.app, t.cookie).get(`${base()}/chats?pageSize=100`);
    expect(after.body.data.items.find((c: { jid: string }) => c.jid === chatJid).unreadCount).toBe(0);
    const again = await api(t.e.app, t.cookie).get(`${base()}/chats/${chatJid}/messages`);
    expect(again.body.data.items[0].status).toBe('read');
  });

  it('Idempotency-Key: the same request returns the first answer and sends once', async () => {
    const contact = await newContact(t.e, 'Idem');
    const send = () =>
      api(t.e.app, t.cookie).post(`${base()}/send-text`, { to: contact, message: 'only once' }).set('Idempotency-Key', `key-${contact}`);
    const first = await send();
    const second = await send();
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    await waitForStatus(t.e.app, t.cookie, t.instanceId, first.body.data.messageId, ['sent', 'delivered', 'read']);
    await new Promise((r) => setTimeout(r, 500));
    expect((await t.e.control.inbox(contact)).map((i) => i.text)).toEqual(['only once']);
    // the same key with another body is refused
    const other = await api(t.e.app, t.cookie).post(`${base()}/send-text`, { to: contact, message: 'different' }).set('Idempotency-Key', `key-${contact}`);
    expect(other.status).toBe(409);
  });

  it('a number not on WhatsApp: GET numbers says so, and a send fails with number_not_on_whatsapp', async () => {
    const known = await newContact(t.e, 'Known');
    const check = await api(t.e.app, t.cookie).get(`${base()}/numbers/${known}`);
    expect(check.status).toBe(200);
    expect(check.body.data).toEqual({ phone: `+${known}`, exists: true, jid: `${known}@s.whatsapp.net` });
    const unknown = '5511900000001';
    const missing = await api(t.e.app, t.cookie).get(`${base()}/numbers/${unknown}`);
    expect(missing.body.data).toMatchObject({ exists: false });

    const res = await api(t.e.app, t.cookie).post(`${base()}/send-text`, { to: unknown, message: 'hello?' });
    expect(res.status).toBe(202);
    const failed = await waitForStatus(t.e.app, t.cookie, t.instanceId, res.body.data.messageId, ['failed']);
    expect(failed).toMatchObject({ errorCode: 'number_not_on_whatsapp', error: expect.stringContaining('not on WhatsApp') });
  });

  it('keeps order in a burst of 100', async () => {
    const contact = await newContact(t.e, 'Burst');
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      const res = await api(t.e.app, t.cookie).post(`${base()}/send-text`, { to: contact, message: `burst ${i}` });
      expect(res.status).toBe(202);
      ids.push(res.body.data.messageId);
    }
    const inbox = await eventually(async () => {
      const items = await t.e.control.inbox(contact);
      if (items.length < 100) throw new Error(`inbox has ${items.length}`);
      return items;
    }, 60_000, 250);
    expect(inbox.map((i) => i.text)).toEqual(ids.map((_, i) => `burst ${i}`));
    await waitForStatus(t.e.app, t.cookie, t.instanceId, ids[99]!, ['sent', 'delivered', 'read']);
  });

  it("stores the contact's privacy-token timestamp at the first send, so later sends issue no new token", async () => {
    // Baileys issues its privacy token to the contact after a 1:1 send, without awaiting it, and stores when it did
    // so that later sends skip it. In 7.0.0-rc14 that write landed in the send's committed key transaction and was
    // lost (each send issued another `privacy` IQ); the engine's AsyncLocalStorage ends the transaction's context
    // when it commits.
    const contact = freshPhone();
    const { lid } = await t.e.control.createContact(contact, 'Token'); // Baileys keeps the token under the contact's LID
    for (const text of ['one', 'two', 'three']) {
      const res = await api(t.e.app, t.cookie).post(`${base()}/send-text`, { to: contact, message: text });
      expect(res.status).toBe(202);
      await waitForStatus(t.e.app, t.cookie, t.instanceId, res.body.data.messageId as string, ['sent', 'delivered', 'read']);
    }
    const auth = new RedisAuthState({
      redis: t.e.redis.redis,
      keyPrefix: t.e.config.redisPrefix,
      instanceId: t.instanceId,
      encryptionKey: t.e.config.encryptionKey,
    });
    const stored = await eventually(async () => {
      const entries = Object.values(await auth.keys.get('tctoken', [lid]));
      if (entries.length === 0) throw new Error('no privacy token stored');
      return entries;
    });
    expect(stored.map((entry) => (entry as { senderTimestamp?: number }).senderTimestamp)).toContainEqual(expect.any(Number));
  });

  it('validates input and scopes by tenant', async () => {
    const bad = await api(t.e.app, t.cookie).post(`${base()}/send-text`, { to: '123', message: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_RECIPIENT');
    const missing = await api(t.e.app, t.cookie).post(`${base()}/send-text`, { to: '5511999999999' });
    expect(missing.status).toBe(400);
    const stranger = await signup(t.e.app);
    const other = await api(t.e.app, stranger.cookie).post(`${base()}/send-text`, { to: '5511999999999', message: 'x' });
    expect(other.status).toBe(404);
    const list = await api(t.e.app, stranger.cookie).get(`${base()}/chats`);
    expect(list.status).toBe(404);
  });
});

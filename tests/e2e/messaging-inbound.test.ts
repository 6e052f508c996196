import { jest } from '@jest/globals';
import { createInstance, signup } from '../support/factories.js';
import { freshPhone, startEngineApp, type EngineApp } from '../support/engine-app.js';
import { api, eventually, messagingEnv, newContact } from '../support/messaging.js';

jest.setTimeout(120_000);

let e: EngineApp;
let cookie: string;
let instanceId: string;
let phone: string;
let dana: string;
let eli: string;

beforeAll(async () => {
  e = await startEngineApp({ env: messagingEnv() });
  cookie = (await signup(e.app)).cookie;
  phone = freshPhone();
  dana = await newContact(e, 'Dana');
  eli = await newContact(e, 'Eli');
  await e.control.history(phone, {
    contacts: [
      { phone: dana, name: 'Dana' },
      { phone: eli, name: 'Eli' },
    ],
    chats: [
      { phone: dana, unreadCount: 2, pinned: true, archived: false, muted: true },
      { phone: eli, unreadCount: 0, archived: true },
    ],
    messages: [
      { chatPhone: dana, fromMe: false, text: 'old hello', timestamp: 1_700_000_000, id: 'HIST1' },
      { chatPhone: dana, fromMe: true, text: 'old reply', timestamp: 1_700_000_100, id: 'HIST2' },
      { chatPhone: eli, fromMe: false, text: 'eli says hi', timestamp: 1_700_000_050, id: 'HIST3' },
    ],
  });
  ({ instanceId } = await createInstance(e.app, cookie));
  await e.pair(cookie, instanceId, phone);
});
afterAll(async () => {
  await e?.close();
});

const base = () => `/whatsapp/instances/${instanceId}`;
const jid = (p: string) => `${p}@s.whatsapp.net`;

describe('messaging e2e: history sync, contacts and chats', () => {
  it('the history sync fills contacts, chats and their messages', async () => {
    const chats = await eventually(async () => {
      const res = await api(e.app, cookie).get(`${base()}/chats`);
      if (res.body.data?.total < 2) throw new Error(JSON.stringify(res.body));
      return res.body.data;
    });
    const byJid = Object.fromEntries(chats.items.map((c: { jid: string }) => [c.jid, c]));
    expect(byJid[jid(dana)]).toMatchObject({ unreadCount: 2, pinned: true, muted: true, archived: false, isGroup: false, phone: `+${dana}` });
    expect(byJid[jid(eli)]).toMatchObject({ archived: true });
    expect(chats.items[0].jid).toBe(jid(dana)); // pinned first

    // Push names come in a second history notification (PUSH_NAME), which may be stored after the chats.
    const contacts = await eventually(async () => {
      const res = await api(e.app, cookie).get(`${base()}/contacts`);
      const named = (res.body.data?.items ?? []).filter((c: { pushName: string | null }) => c.pushName);
      if (named.length < 2) throw new Error(JSON.stringify(res.body));
      return res;
    });
    expect(contacts.body.data.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ jid: jid(dana), pushName: 'Dana', phone: `+${dana}` }),
        expect.objectContaining({ jid: jid(eli), pushName: 'Eli' }),
      ]),
    );
    const messages = await api(e.app, cookie).get(`${base()}/chats/${jid(dana)}/messages`);
    expect(messages.body.data.items.map((m: { waMessageId: string; fromMe: boolean; text: string }) => [m.waMessageId, m.fromMe, m.text])).toEqual([
      ['HIST2', true, 'old reply'],
      ['HIST1', false, 'old hello'],
    ]);
    const archived = await api(e.app, cookie).get(`${base()}/chats?archived=true`);
    expect(archived.body.data.items.map((c: { jid: string }) => c.jid)).toEqual([jid(eli)]);
  });

  it('pagination: totals, last page, past the end, and limits', async () => {
    for (let i = 0; i < 5; i++) {
      await e.control.sendFromContact(eli, { to: phone, text: `page ${i}` });
      await eventually(async () => {
        const res = await api(e.app, cookie).get(`${base()}/chats/${jid(eli)}/messages`);
        if (res.body.data.total !== i + 2) throw new Error(`total ${res.body.data.total}`);
      });
    }
    const first = await api(e.app, cookie).get(`${base()}/chats/${jid(eli)}/messages?page=1&pageSize=4`);
    expect(first.body.data).toMatchObject({ total: 6, page: 1, pageSize: 4, totalPages: 2 });
    expect(first.body.data.items.map((m: { text: string }) => m.text)).toEqual(['page 4', 'page 3', 'page 2', 'page 1']);
    const last = await api(e.app, cookie).get(`${base()}/chats/${jid(eli)}/messages?page=2&pageSize=4`);
    expect(last.body.data.items.map((m: { text: string }) => m.text)).toEqual(['page 0', 'eli says hi']);
    const beyond = await api(e.app, cookie).get(`${base()}/chats/${jid(eli)}/messages?page=3&pageSize=4`);
    expect(beyond.body.data).toMatchObject({ items: [], total: 6, page: 3 });
    expect((await api(e.app, cookie).get(`${base()}/contacts?pageSize=0`)).status).toBe(400);
    expect((await api(e.app, cookie).get(`${base()}/contacts?pageSize=101`)).status).toBe(400);
    expect((await api(e.app, cookie).get(`${base()}/contacts?page=0`)).status).toBe(400);
    const one = await api(e.app, cookie).get(`${base()}/contacts?pageSize=1&page=2`);
    expect(one.body.data).toMatchObject({ pageSize: 1, page: 2 });
    expect(one.body.data.items).toHaveLength(1);
    expect(one.body.data.total).toBeGreaterThanOrEqual(2);
  });

  it('inbound messages are stored once with a messages.upsert event in the seed shape', async () => {
    const contact = await newContact(e, 'Fabio');
    const { id } = await e.control.sendFromContact(contact, { to: phone, text: 'Olá!' });
    await eventually(async () => {
      const res = await api(e.app, cookie).get(`${base()}/messages/${id}`);
      if (res.status !== 200) throw new Error(String(res.status));
    });
    const events = await e.services.repositories.webhookEvents.listAfter(instanceId, 0, 1000);
    const upserts = events.filter((ev) => ev.event === 'messages.upsert' && (ev.payload as { key: { id: string } }).key.id === id);
    expect(upserts).toHaveLength(1);
    expect(upserts[0]!.payload).toMatchObject({
      key: { remoteJid: jid(contact), fromMe: false, id },
      message: { conversation: 'Olá!' },
      messageType: 'conversation',
      pushName: 'Fabio',
      messageTimestamp: expect.stringMatching(/^\d+$/),
    });
  });

  it('reactions and revokes update the stored message and emit events', async () => {
    const contact = await newContact(e, 'Gabi');
    const { id } = await e.control.sendFromContact(contact, { to: phone, text: 'react to me' });
    await eventually(async () => {
      if ((await api(e.app, cookie).get(`${base()}/messages/${id}`)).status !== 200) throw new Error('not yet');
    });
    const sent = await api(e.app, cookie).post(`${base()}/send-text`, { to: contact, message: 'mine' });
    const mine = await eventually(async () => {
      const res = await api(e.app, cookie).get(`${base()}/messages/${sent.body.data.messageId}`);
      if (res.body.data.status === 'queued') throw new Error('queued');
      return res.body.data;
    });
    await e.control.sendFromContact(contact, { to: phone, reaction: { id: mine.waMessageId, emoji: '👍', fromMe: true } });
    const reacted = await eventually(async () => {
      const res = await api(e.app, cookie).get(`${base()}/messages/${mine.id}`);
      if (Object.keys(res.body.data.reactions).length === 0) throw new Error('no reaction');
      return res.body.data;
    });
    expect(Object.values(reacted.reactions)).toEqual([expect.objectContaining({ emoji: '👍' })]);

    await e.control.revoke(contact, phone, id);
    const revoked = await eventually(async () => {
      const res = await api(e.app, cookie).get(`${base()}/messages/${id}`);
      if (!res.body.data.revokedAt) throw new Error('not revoked');
      return res.body.data;
    });
    expect(revoked.revokedAt).toEqual(expect.any(String));
    const events = await e.services.repositories.webhookEvents.listAfter(instanceId, 0, 1000);
    expect(events.filter((ev) => ev.event === 'messages.delete' && (ev.payload as { key: { id: string } }).key.id === id)).toHaveLength(1);
  });

  it('presence becomes a presence.update event', async () => {
    await e.control.presence(dana, phone, 'composing');
    await eventually(async () => {
      const events = await e.services.repositories.webhookEvents.listAfter(instanceId, 0, 1000);
      if (!events.some((ev) => ev.event === 'presence.update')) throw new Error('no presence event');
    });
  });
});

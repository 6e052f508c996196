import { ContactRepository, type ContactInput } from '../../../src/persistence/repositories/contact-repository.js';
import { ChatRepository } from '../../../src/persistence/repositories/chat-repository.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { MessageRepository } from '../../../src/persistence/repositories/message-repository.js';
import { inbound, makeInstance } from './persistence-fixtures.js';

let db: TestDatabase;
let contacts: ContactRepository;
let chats: ChatRepository;
let messages: MessageRepository;
beforeAll(async () => {
  db = await createTestDatabase();
  contacts = new ContactRepository(db.dataSource);
  chats = new ChatRepository(db.dataSource);
  messages = new MessageRepository(db.dataSource);
});
afterAll(async () => {
  await db.close();
});

const phoneJid = (n: number) => `55119${String(n).padStart(8, '0')}@s.whatsapp.net`;

describe('contacts', () => {
  it('upserts 2,000 contacts from a history sync in one call, then merges a second sync into them', async () => {
    const instance = await makeInstance(db.dataSource);
    const batch: ContactInput[] = Array.from({ length: 2000 }, (_v, i) => ({
      jid: phoneJid(i),
      phone: phoneJid(i).split('@')[0],
      name: `Contato ${i}`,
    }));
    const started = Date.now();
    expect(await contacts.upsertMany(instance.id, batch)).toEqual({ inserted: 2000, updated: 0 });
    const firstMs = Date.now() - started;
    expect(await contacts.count(instance.id)).toBe(2000);

    // The second sync brings push names for half of them and 10 new contacts; the rest repeats what is stored.
    const second: ContactInput[] = [
      ...batch.map((c, i) => (i % 2 === 0 ? { jid: c.jid, notify: `Push ${i}` } : { jid: c.jid, name: c.name })),
      ...Array.from({ length: 10 }, (_v, i) => ({ jid: phoneJid(5000 + i) })),
    ];
    expect(await contacts.upsertMany(instance.id, second)).toEqual({ inserted: 10, updated: 1000 });
    expect(await contacts.find(instance.id, phoneJid(2))).toMatchObject({ name: 'Contato 2', notify: 'Push 2', phone: '5511900000002' });
    expect(await contacts.count(instance.id)).toBe(2010);
    expect(firstMs).toBeLessThan(5000);
  });

  it('concurrent overlapping batches neither deadlock nor lose fields', async () => {
    const instance = await makeInstance(db.dataSource);
    const jids = Array.from({ length: 300 }, (_v, i) => phoneJid(i));
    await contacts.upsertMany(instance.id, jids.map((jid) => ({ jid })));
    const shuffled = (seed: number) => [...jids].sort((a, b) => ((a.charCodeAt(12) * seed) % 7) - ((b.charCodeAt(12) * seed) % 7) || a.localeCompare(b));
    await Promise.all([
      contacts.upsertMany(instance.id, shuffled(3).map((jid) => ({ jid, name: `N ${jid}` }))),
      contacts.upsertMany(instance.id, [...jids].reverse().map((jid) => ({ jid, notify: `P ${jid}` }))),
      contacts.upsertMany(instance.id, shuffled(5).map((jid) => ({ jid, imgUrl: `https://img/${jid}` }))),
      contacts.upsertMany(instance.id, [...jids, phoneJid(9999)].map((jid) => ({ jid, phone: jid.split('@')[0] }))),
    ]);
    const one = await contacts.find(instance.id, phoneJid(123));
    expect(one).toMatchObject({ name: `N ${phoneJid(123)}`, notify: `P ${phoneJid(123)}`, imgUrl: `https://img/${phoneJid(123)}`, phone: '5511900000123' });
    expect(await contacts.count(instance.id)).toBe(301);
  });

  it('undefined keeps a field, null clears it, repeated JIDs in one batch are merged', async () => {
    const instance = await makeInstance(db.dataSource);
    const jid = phoneJid(1);
    await contacts.upsertMany(instance.id, [{ jid, name: 'Maria', imgUrl: 'https://pps.whatsapp.net/a.jpg', lid: '123456@lid' }]);
    await contacts.upsertMany(instance.id, [
      { jid, notify: 'Mari' },
      { jid, imgUrl: null },
      { jid, verifiedName: 'Maria Ltda' },
    ]);
    expect(await contacts.find(instance.id, jid)).toMatchObject({
      name: 'Maria',
      notify: 'Mari',
      imgUrl: null,
      verifiedName: 'Maria Ltda',
      lid: '123456@lid',
    });
    expect((await contacts.findByLid(instance.id, '123456@lid'))?.jid).toBe(jid);
  });

  it('belong to their instance', async () => {
    const [a, b] = await Promise.all([makeInstance(db.dataSource), makeInstance(db.dataSource)]);
    await contacts.upsertMany(a.id, [{ jid: phoneJid(7), name: 'Só do A' }]);
    await contacts.upsertMany(b.id, [{ jid: phoneJid(7), name: 'Só do B' }]);
    expect((await contacts.find(a.id, phoneJid(7)))?.name).toBe('Só do A');
    expect((await contacts.list(b.id)).items.map((c) => c.name)).toEqual(['Só do B']);
  });

  it('list orders by display name and searches name, push name and phone', async () => {
    const instance = await makeInstance(db.dataSource);
    await contacts.upsertMany(instance.id, [
      { jid: phoneJid(1), name: 'bruno' },
      { jid: phoneJid(2), notify: 'Ana' },
      { jid: phoneJid(3), phone: '5511900000003' },
      { jid: phoneJid(4), name: 'Carla 100%' },
    ]);
    const page = await contacts.list(instance.id);
    expect(page.items.map((c) => c.jid)).toEqual([phoneJid(3), phoneJid(2), phoneJid(1), phoneJid(4)]);
    expect((await contacts.list(instance.id, { search: 'AN' })).items.map((c) => c.jid)).toEqual([phoneJid(2)]);
    expect((await contacts.list(instance.id, { search: '100%' })).items.map((c) => c.jid)).toEqual([phoneJid(4)]);
    expect((await contacts.list(instance.id, { search: '%' })).items.map((c) => c.jid)).toEqual([phoneJid(4)]);
  });
});

describe('chats', () => {
  it('batch upsert creates chats with defaults and applies partial updates', async () => {
    const instance = await makeInstance(db.dataSource);
    const group = '120363000000000001@g.us';
    expect(
      await chats.upsertMany(instance.id, [
        { jid: phoneJid(1), name: 'Victor R', unreadCount: 3, lastMessageAt: new Date('2025-05-19T18:17:24Z') },
        { jid: group, name: 'Equipe', isAnnouncement: true },
      ]),
    ).toEqual({ inserted: 2, updated: 0 });
    expect(await chats.find(instance.id, group)).toMatchObject({
      isGroup: true,
      isAnnouncement: true,
      unreadCount: 0,
      archived: false,
      pinned: false,
      mutedUntil: null,
    });
    const muteEnd = new Date('2030-01-01T00:00:00Z');
    expect(await chats.upsertMany(instance.id, [{ jid: phoneJid(1), archived: true, mutedUntil: muteEnd, pinned: true }])).toEqual({
      inserted: 0,
      updated: 1,
    });
    expect(await chats.find(instance.id, phoneJid(1))).toMatchObject({
      name: 'Victor R',
      unreadCount: 3,
      archived: true,
      pinned: true,
      mutedUntil: muteEnd,
      isGroup: false,
    });
    await chats.upsertMany(instance.id, [{ jid: phoneJid(1), mutedUntil: null, unreadCount: 0 }]);
    expect(await chats.find(instance.id, phoneJid(1))).toMatchObject({ mutedUntil: null, unreadCount: 0, archived: true });
    expect(await chats.upsertMany(instance.id, [{ jid: phoneJid(1), archived: true }])).toEqual({ inserted: 0, updated: 0 });
  });

  it('the last message time never moves back (history after live messages)', async () => {
    const instance = await makeInstance(db.dataSource);
    const recent = new Date('2025-06-01T10:00:00Z');
    await messages.storeWithEvent(inbound(instance.id, { chatJid: phoneJid(9), messageTimestamp: recent }), null);
    await chats.upsertMany(instance.id, [{ jid: phoneJid(9), lastMessageAt: new Date('2025-01-01T00:00:00Z'), name: 'Hist' }]);
    expect(await chats.find(instance.id, phoneJid(9))).toMatchObject({ lastMessageAt: recent, name: 'Hist', unreadCount: 1 });
  });

  it('a stored message creates its chat; inbound ones count as unread, the last message time never moves back', async () => {
    const instance = await makeInstance(db.dataSource);
    const at = (m: number) => new Date(Date.UTC(2025, 0, 1, 0, m));
    const store = (m: number, fromMe: boolean) =>
      messages.storeWithEvent(inbound(instance.id, { chatJid: phoneJid(5), messageTimestamp: at(m), fromMe, senderJid: fromMe ? null : phoneJid(5) }), null);
    await store(1, false);
    await store(3, false);
    await store(2, true);
    expect(await chats.find(instance.id, phoneJid(5))).toMatchObject({ unreadCount: 2, lastMessageAt: at(3), isGroup: false });
  });

  it('list: pinned first, then most recent, chats without messages last; filters by archived', async () => {
    const instance = await makeInstance(db.dataSource);
    await chats.upsertMany(instance.id, [
      { jid: phoneJid(1), lastMessageAt: new Date('2025-01-01T00:00:00Z') },
      { jid: phoneJid(2), lastMessageAt: new Date('2025-03-01T00:00:00Z') },
      { jid: phoneJid(3) },
      { jid: phoneJid(4), lastMessageAt: new Date('2024-01-01T00:00:00Z'), pinned: true },
      { jid: phoneJid(5), lastMessageAt: new Date('2025-04-01T00:00:00Z'), archived: true },
    ]);
    expect((await chats.list(instance.id)).items.map((c) => c.jid)).toEqual([phoneJid(4), phoneJid(5), phoneJid(2), phoneJid(1), phoneJid(3)]);
    expect((await chats.list(instance.id, { archived: false })).total).toBe(4);
    expect((await chats.list(instance.id, { archived: true })).items.map((c) => c.jid)).toEqual([phoneJid(5)]);
    expect(await chats.delete(instance.id, phoneJid(5))).toBe(true);
    expect(await chats.delete(instance.id, phoneJid(5))).toBe(false);
  });
});

import { MessageEntity } from '../../../src/persistence/entities/message.entity.js';
import { isUniqueViolation } from '../../../src/persistence/is-unique-violation.js';
import { newMessageId } from '../../../src/persistence/repositories/message-inputs.js';
import { MessageRepository } from '../../../src/persistence/repositories/message-repository.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { inbound, inParallel, makeInstance, queueOutgoing, waId } from './persistence-fixtures.js';

let db: TestDatabase;
let messages: MessageRepository;
beforeAll(async () => {
  db = await createTestDatabase();
  messages = new MessageRepository(db.dataSource);
});
afterAll(async () => {
  await db.close();
});

const countRows = (instanceId: string) => db.dataSource.getRepository(MessageEntity).countBy({ instanceId });
/** A status move as the product makes it (with its messages.update event); the updated row, or null when nothing moved. */
const updateStatus = async (...args: Parameters<MessageRepository['updateStatusWithEvent']>) =>
  (await messages.updateStatusWithEvent(...args))?.message ?? null;

describe('storing WhatsApp messages exactly once', () => {
  it('the same WhatsApp id twice leaves one row; the second insert reports not inserted and returns the first', async () => {
    const instance = await makeInstance(db.dataSource);
    const first = inbound(instance.id);
    const a = await messages.storeWithEvent(first, null);
    const b = await messages.storeWithEvent({ ...first, id: newMessageId(), text: 'a redelivery' }, null);
    expect(a.inserted).toBe(true);
    expect(b.inserted).toBe(false);
    expect(b.message.id).toBe(a.message.id);
    expect(b.message.text).toBe('Olá!');
    expect(await countRows(instance.id)).toBe(1);
  });

  it('concurrent copies of one message store one row and exactly one reports inserted', async () => {
    const instance = await makeInstance(db.dataSource);
    const message = inbound(instance.id);
    const results = await inParallel(10, () => messages.storeWithEvent({ ...message, id: newMessageId() }, null));
    expect(results.filter((r) => r.inserted)).toHaveLength(1);
    expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
    expect(await countRows(instance.id)).toBe(1);
  });

  it('the same WhatsApp id in two instances is two messages', async () => {
    const [one, two] = await Promise.all([makeInstance(db.dataSource), makeInstance(db.dataSource)]);
    const id = waId();
    expect((await messages.storeWithEvent(inbound(one.id, { waMessageId: id }), null)).inserted).toBe(true);
    expect((await messages.storeWithEvent(inbound(two.id, { waMessageId: id }), null)).inserted).toBe(true);
  });

  it('our own send echoed back by WhatsApp does not duplicate the queued row', async () => {
    const instance = await makeInstance(db.dataSource);
    const wa = waId();
    const queued = await queueOutgoing(db.dataSource, messages, {
      instanceId: instance.id,
      waMessageId: wa,
      chatJid: '5511988887777@s.whatsapp.net',
      type: 'text',
      text: 'pedido confirmado',
    });
    const echo = await messages.storeWithEvent(
      inbound(instance.id, { waMessageId: wa, fromMe: true, chatJid: queued.chatJid, senderJid: null }),
      null,
    );
    expect(echo).toMatchObject({ inserted: false, message: { id: queued.id, status: 'queued', fromMe: true } });
  });

  it('keeps inbound fields, raw JSON and strips NUL characters Postgres would refuse', async () => {
    const instance = await makeInstance(db.dataSource);
    const { message } = await messages.storeWithEvent(
      inbound(instance.id, {
        type: 'image',
        text: null,
        caption: 'foto\u0000',
        mediaMimetype: 'image/jpeg',
        mediaSize: 5_000_000_000,
        mediaSha256: 'ab'.repeat(32),
        mediaStatus: 'pending',
        mentions: ['5511911112222@s.whatsapp.net'],
        raw: { message: { imageMessage: { caption: 'foto\u0000', fileLength: '5000000000' } }, list: [1, 2] },
      }),
      null,
    );
    const found = await messages.findById(instance.id, message.id);
    expect(found).toMatchObject({
      fromMe: false,
      status: 'delivered',
      caption: 'foto',
      mediaSize: 5_000_000_000,
      mediaStatus: 'pending',
      mentions: ['5511911112222@s.whatsapp.net'],
      raw: { message: { imageMessage: { caption: 'foto', fileLength: '5000000000' } }, list: [1, 2] },
      reactions: {},
      deliveredAt: new Date('2024-01-05T12:13:09Z'),
    });
    expect(found).toEqual(message);
  });
});

describe('history sync', () => {
  it('insertManyIfAbsent stores thousands at once, each once, and returns the new WhatsApp ids', async () => {
    const instance = await makeInstance(db.dataSource);
    const history = Array.from({ length: 3000 }, (_v, i) =>
      inbound(instance.id, {
        fromMe: i % 3 === 0,
        text: `h${i}`,
        messageTimestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, i)),
        ...(i % 2 === 0 ? { raw: { message: { conversation: `h${i}` } } } : { raw: undefined, pushName: undefined }),
      }),
    );
    const already = history[10] as (typeof history)[number];
    await messages.storeWithEvent(already, null);
    const inserted = await messages.insertManyIfAbsent([...history, { ...already, id: newMessageId() }]);
    expect(inserted).toHaveLength(2999);
    expect(inserted).not.toContain(already.waMessageId);
    expect(await countRows(instance.id)).toBe(3000);
    expect(await messages.findByWaId(instance.id, history[3]?.waMessageId as string)).toMatchObject({ fromMe: true, status: 'sent', text: 'h3' });
    expect(await messages.findByWaId(instance.id, history[1]?.waMessageId as string)).toMatchObject({ status: 'delivered', raw: null, reactions: {} });
    expect(await messages.insertManyIfAbsent(history.slice(0, 100))).toEqual([]);
  });
});

describe('outgoing messages', () => {
  it('are queued with their WhatsApp id fixed at insert; a second insert with that id is a unique violation', async () => {
    const instance = await makeInstance(db.dataSource);
    const wa = waId();
    const queued = await queueOutgoing(db.dataSource, messages, { instanceId: instance.id, waMessageId: wa, chatJid: 'x@s.whatsapp.net', type: 'text', text: 'oi' });
    expect(queued).toMatchObject({ id: expect.stringMatching(/^msg_[A-Za-z0-9_-]{16}$/), waMessageId: wa, status: 'queued', fromMe: true });
    const again = await queueOutgoing(db.dataSource, messages, { instanceId: instance.id, waMessageId: wa, chatJid: 'x@s.whatsapp.net', type: 'text', text: 'oi' }).catch(
      (err: unknown) => err,
    );
    expect(isUniqueViolation(again)).toBe(true);
  });

  it('failUnsent fails queued and sending messages only, with the reason', async () => {
    const instance = await makeInstance(db.dataSource);
    const base = { instanceId: instance.id, chatJid: 'x@s.whatsapp.net', type: 'text', text: 'oi' };
    const queued = await queueOutgoing(db.dataSource, messages, { ...base, waMessageId: waId() });
    const sending = await queueOutgoing(db.dataSource, messages, { ...base, waMessageId: waId() });
    const sent = await queueOutgoing(db.dataSource, messages, { ...base, waMessageId: waId() });
    await updateStatus(instance.id, { id: sending.id }, 'sending');
    await updateStatus(instance.id, { id: sent.id }, 'sent');
    const failed = await messages.failUnsent(instance.id, { error: 'instance deleted', errorCode: 'instance_deleted' });
    expect(failed.map((m) => m.id).sort()).toEqual([queued.id, sending.id].sort());
    expect(await messages.findById(instance.id, queued.id)).toMatchObject({ status: 'failed', error: 'instance deleted', errorCode: 'instance_deleted' });
    expect((await messages.findById(instance.id, sent.id))?.status).toBe('sent');
  });
});

describe('status moves forward only', () => {
  async function queuedMessage() {
    const instance = await makeInstance(db.dataSource);
    const message = await queueOutgoing(db.dataSource, messages, { instanceId: instance.id, waMessageId: waId(), chatJid: 'x@s.whatsapp.net', type: 'text', text: 'oi' });
    return { instanceId: instance.id, message };
  }

  it('queued → sent → delivered → read, each with its timestamp', async () => {
    const { instanceId, message } = await queuedMessage();
    const t = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s));
    expect(await updateStatus(instanceId, { id: message.id }, 'sent', { at: t(1) })).toMatchObject({ status: 'sent', sentAt: t(1) });
    expect(await updateStatus(instanceId, { waMessageId: message.waMessageId }, 'delivered', { at: t(2) })).toMatchObject({
      status: 'delivered',
      deliveredAt: t(2),
    });
    expect(await updateStatus(instanceId, { waMessageId: message.waMessageId }, 'read', { at: t(3) })).toMatchObject({
      status: 'read',
      sentAt: t(1),
      deliveredAt: t(2),
      readAt: t(3),
    });
  });

  it('a late delivered after read keeps read and reports no change', async () => {
    const { instanceId, message } = await queuedMessage();
    await updateStatus(instanceId, { id: message.id }, 'read');
    expect(await updateStatus(instanceId, { id: message.id }, 'delivered')).toBeNull();
    expect(await updateStatus(instanceId, { id: message.id }, 'sent')).toBeNull();
    expect(await updateStatus(instanceId, { id: message.id }, 'read')).toBeNull();
    expect((await messages.findById(instanceId, message.id))?.status).toBe('read');
  });

  it('jumping straight to read fills the sent and delivered times', async () => {
    const { instanceId, message } = await queuedMessage();
    const at = new Date('2025-02-02T02:02:02Z');
    expect(await updateStatus(instanceId, { id: message.id }, 'read', { at })).toMatchObject({ sentAt: at, deliveredAt: at, readAt: at });
  });

  it('failed only from queued or sending; never after sent', async () => {
    const a = await queuedMessage();
    expect(await updateStatus(a.instanceId, { id: a.message.id }, 'failed', { error: 'not on WhatsApp', errorCode: 'not_on_whatsapp' })).toMatchObject({
      status: 'failed',
      error: 'not on WhatsApp',
      errorCode: 'not_on_whatsapp',
      failedAt: expect.any(Date),
    });
    const b = await queuedMessage();
    await updateStatus(b.instanceId, { id: b.message.id }, 'sending');
    expect((await updateStatus(b.instanceId, { id: b.message.id }, 'failed', { error: 'x' }))?.status).toBe('failed');
    const c = await queuedMessage();
    await updateStatus(c.instanceId, { id: c.message.id }, 'sent');
    expect(await updateStatus(c.instanceId, { id: c.message.id }, 'failed', { error: 'late' })).toBeNull();
    expect(await messages.findById(c.instanceId, c.message.id)).toMatchObject({ status: 'sent', error: null });
  });

  it('a receipt after failed moves the message on and clears the error', async () => {
    const { instanceId, message } = await queuedMessage();
    await updateStatus(instanceId, { id: message.id }, 'failed', { error: 'timed out waiting for connection' });
    expect(await updateStatus(instanceId, { id: message.id }, 'delivered')).toMatchObject({ status: 'delivered', error: null });
    expect(await updateStatus(instanceId, { id: message.id }, 'queued')).toBeNull();
  });

  it('concurrent receipts end at the highest status', async () => {
    const { instanceId, message } = await queuedMessage();
    const order = ['played', 'sent', 'read', 'delivered', 'sending', 'sent', 'read'] as const;
    const changed = await inParallel(order.length, (i) => updateStatus(instanceId, { id: message.id }, order[i] ?? 'sent'));
    expect((await messages.findById(instanceId, message.id))?.status).toBe('played');
    expect(changed.filter(Boolean).length).toBeGreaterThanOrEqual(1);
  });

  it('an unknown message reports no change', async () => {
    const { instanceId } = await queuedMessage();
    expect(await updateStatus(instanceId, { waMessageId: 'NOPE' }, 'read')).toBeNull();
  });
});

describe('reading, editing, revoking, reacting', () => {
  it('markChatRead marks only unread inbound messages of that chat and returns them', async () => {
    const instance = await makeInstance(db.dataSource);
    const chat = '5511977776666@s.whatsapp.net';
    const a = await messages.storeWithEvent(inbound(instance.id, { chatJid: chat }), null);
    const b = await messages.storeWithEvent(inbound(instance.id, { chatJid: chat }), null);
    await messages.storeWithEvent(inbound(instance.id, { chatJid: chat, fromMe: true }), null);
    await messages.storeWithEvent(inbound(instance.id, { chatJid: 'other@s.whatsapp.net' }), null);
    const read = await messages.markChatRead(instance.id, chat);
    expect(read.map((m) => m.id).sort()).toEqual([a.message.id, b.message.id].sort());
    expect(await messages.markChatRead(instance.id, chat)).toEqual([]);
  });

  it('edits replace the text, and an older edit arriving late is ignored', async () => {
    const instance = await makeInstance(db.dataSource);
    const { message } = await messages.storeWithEvent(inbound(instance.id), null);
    const ref = { waMessageId: message.waMessageId };
    expect(await messages.applyEdit(instance.id, ref, { text: 'v3', at: new Date('2025-01-01T00:00:03Z') })).toMatchObject({ text: 'v3' });
    expect(await messages.applyEdit(instance.id, ref, { text: 'v2', at: new Date('2025-01-01T00:00:02Z') })).toBeNull();
    expect(await messages.findById(instance.id, message.id)).toMatchObject({ text: 'v3', editedAt: new Date('2025-01-01T00:00:03Z') });
  });

  it('revoke is recorded once', async () => {
    const instance = await makeInstance(db.dataSource);
    const { message } = await messages.storeWithEvent(inbound(instance.id), null);
    expect((await messages.markRevoked(instance.id, { waMessageId: message.waMessageId }))?.revokedAt).toBeInstanceOf(Date);
    expect(await messages.markRevoked(instance.id, { waMessageId: message.waMessageId })).toBeNull();
  });

  it('reactions: one per sender, replaced, removed with an empty emoji, stale ones ignored, concurrent ones all kept', async () => {
    const instance = await makeInstance(db.dataSource);
    const { message } = await messages.storeWithEvent(inbound(instance.id), null);
    const ref = { id: message.id };
    const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s));
    await messages.applyReaction(instance.id, ref, { senderJid: 'a@s.whatsapp.net', emoji: '👍', at: at(1) });
    await messages.applyReaction(instance.id, ref, { senderJid: 'a@s.whatsapp.net', emoji: '❤️', at: at(3) });
    expect(await messages.applyReaction(instance.id, ref, { senderJid: 'a@s.whatsapp.net', emoji: '😮', at: at(2) })).toBeNull();
    await inParallel(10, (i) => messages.applyReaction(instance.id, ref, { senderJid: `p${i}@s.whatsapp.net`, emoji: '🎉', at: at(4) }));
    await messages.applyReaction(instance.id, ref, { senderJid: 'p0@s.whatsapp.net', emoji: '', at: at(5) });
    const { reactions } = (await messages.findById(instance.id, message.id)) as MessageEntity;
    expect(reactions['a@s.whatsapp.net']).toEqual({ emoji: '❤️', at: at(3).getTime() });
    expect(Object.keys(reactions)).toHaveLength(10);
    expect(reactions['p0@s.whatsapp.net']).toBeUndefined();
  });

  it('updateMedia records the stored file', async () => {
    const instance = await makeInstance(db.dataSource);
    const { message } = await messages.storeWithEvent(inbound(instance.id, { type: 'audio', mediaStatus: 'pending', ptt: true }), null);
    expect(
      await messages.updateMedia(instance.id, message.id, { mediaStatus: 'stored', mediaStorageKey: `${instance.id}/media/${message.id}`, mediaSize: 1234 }),
    ).toMatchObject({ mediaStatus: 'stored', mediaSize: 1234, ptt: true });
    expect(await messages.updateMedia(instance.id, 'msg_missing', { mediaStatus: 'failed' })).toBeNull();
  });
});

describe('listing a chat', () => {
  it('is newest first, paginated, and scoped to the instance', async () => {
    const instance = await makeInstance(db.dataSource);
    const other = await makeInstance(db.dataSource);
    const chat = '5511955554444@s.whatsapp.net';
    for (let i = 0; i < 5; i++) {
      await messages.storeWithEvent(inbound(instance.id, { chatJid: chat, text: `m${i}`, messageTimestamp: new Date(Date.UTC(2025, 0, 1, 0, i)) }), null);
    }
    await messages.storeWithEvent(inbound(other.id, { chatJid: chat }), null);
    const first = await messages.listByChat(instance.id, chat, { page: 1, pageSize: 2 });
    const last = await messages.listByChat(instance.id, chat, { page: 3, pageSize: 2 });
    expect(first).toMatchObject({ total: 5, page: 1, pageSize: 2 });
    expect(first.items.map((m) => m.text)).toEqual(['m4', 'm3']);
    expect(last.items.map((m) => m.text)).toEqual(['m0']);
  });
});

import { ChatEntity } from '../../../src/persistence/entities/chat.entity.js';
import { MessageEntity } from '../../../src/persistence/entities/message.entity.js';
import { WebhookDeliveryEntity } from '../../../src/persistence/entities/webhook-delivery.entity.js';
import { WebhookEventEntity } from '../../../src/persistence/entities/webhook-event.entity.js';
import { MessageRepository } from '../../../src/persistence/repositories/message-repository.js';
import { WebhookEventRepository } from '../../../src/persistence/repositories/webhook-event-repository.js';
import { TransactionRunner } from '../../../src/persistence/transaction-runner.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { inbound, inParallel, makeInstance, queueOutgoing } from './persistence-fixtures.js';

let db: TestDatabase;
let messages: MessageRepository;
let events: WebhookEventRepository;
let transactions: TransactionRunner;
beforeAll(async () => {
  db = await createTestDatabase();
  messages = new MessageRepository(db.dataSource);
  events = new WebhookEventRepository(db.dataSource);
  transactions = new TransactionRunner(db.dataSource);
});
afterAll(async () => {
  await db.close();
});

const upsertData = (waMessageId: string) => ({
  key: { remoteJid: '5511999999999@s.whatsapp.net', fromMe: false, id: waMessageId },
  message: { conversation: 'Olá!' },
  messageType: 'conversation',
  pushName: 'João Silva',
  messageTimestamp: '1704456789',
});

describe('per-instance event sequence', () => {
  it('50 parallel transactions get 1..50 with no gap and no duplicate', async () => {
    const instance = await makeInstance(db.dataSource, { webhookUrl: 'https://hooks.example.com/a' });
    const stored = await inParallel(50, () => {
      const m = inbound(instance.id);
      return messages.storeWithEvent(m, { event: 'messages.upsert', data: upsertData(m.waMessageId) });
    });
    const sequences = stored.map((s) => s.event?.event.sequence ?? -1).sort((a, b) => a - b);
    expect(sequences).toEqual(Array.from({ length: 50 }, (_v, i) => i + 1));
    expect(await events.lastSequence(instance.id)).toBe(50);
    expect(await db.dataSource.getRepository(WebhookDeliveryEntity).countBy({ instanceId: instance.id })).toBe(50);
  });

  it('counts separately per instance', async () => {
    const [a, b] = await Promise.all([makeInstance(db.dataSource), makeInstance(db.dataSource)]);
    await events.append({ instanceId: a.id, event: 'connection.update', data: { status: 'qr' } });
    await events.append({ instanceId: a.id, event: 'connection.update', data: { status: 'connected' } });
    const first = await events.append({ instanceId: b.id, event: 'connection.update', data: { status: 'qr' } });
    expect(first.event.sequence).toBe(1);
    expect(await events.lastSequence(a.id)).toBe(2);
  });

  it('a rolled-back transaction gives its number back', async () => {
    const instance = await makeInstance(db.dataSource);
    await events.append({ instanceId: instance.id, event: 'presence.update', data: { id: 'x', presences: {} } });
    await expect(
      transactions.run(async (tx) => {
        await events.append({ instanceId: instance.id, event: 'presence.update', data: { id: 'x', presences: {} } }, tx);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const next = await events.append({ instanceId: instance.id, event: 'presence.update', data: { id: 'x', presences: {} } });
    expect(next.event.sequence).toBe(2);
  });

  it('an unknown instance is an error, not an orphan event', async () => {
    await expect(events.append({ instanceId: 'inst_doesnotexist00', event: 'connection.update', data: {} })).rejects.toThrow();
  });
});

describe('storing a message and its event atomically', () => {
  it('stores message, chat activity, event and delivery together', async () => {
    const instance = await makeInstance(db.dataSource, { name: 'Minha Instância', webhookUrl: 'https://hooks.example.com/in' });
    const m = inbound(instance.id);
    const result = await messages.storeWithEvent(m, { event: 'messages.upsert', data: upsertData(m.waMessageId) });
    expect(result.inserted).toBe(true);
    expect(result.event?.event).toMatchObject({
      id: expect.stringMatching(/^evt_[A-Za-z0-9_-]{20}$/),
      instanceId: instance.id,
      instanceName: 'Minha Instância',
      event: 'messages.upsert',
      sequence: 1,
      payload: upsertData(m.waMessageId),
      createdAt: expect.any(Date),
    });
    // json, not jsonb: the body keeps the producer's key order, as in the seed.
    expect(Object.keys((result.event?.event.payload as { key: object }).key)).toEqual(['remoteJid', 'fromMe', 'id']);
    expect(result.event?.deliveries).toEqual([
      expect.objectContaining({
        id: expect.stringMatching(/^whd_/),
        eventId: result.event?.event.id,
        url: 'https://hooks.example.com/in',
        status: 'pending',
        attempts: 0,
      }),
    ]);
    expect(await db.dataSource.getRepository(ChatEntity).findOneBy({ instanceId: instance.id, jid: m.chatJid })).toMatchObject({
      unreadCount: 1,
      lastMessageAt: m.messageTimestamp,
    });
  });

  it('a duplicate WhatsApp message records no second event', async () => {
    const instance = await makeInstance(db.dataSource, { webhookUrl: 'https://hooks.example.com/in' });
    const m = inbound(instance.id);
    await messages.storeWithEvent(m, { event: 'messages.upsert', data: upsertData(m.waMessageId) });
    const again = await messages.storeWithEvent({ ...m, id: undefined }, { event: 'messages.upsert', data: upsertData(m.waMessageId) });
    expect(again).toMatchObject({ inserted: false, event: null });
    expect(await db.dataSource.getRepository(WebhookEventEntity).countBy({ instanceId: instance.id })).toBe(1);
  });

  it('a transaction that throws after both inserts leaves neither (nor the chat, delivery or sequence)', async () => {
    const instance = await makeInstance(db.dataSource, { webhookUrl: 'https://hooks.example.com/in' });
    const m = inbound(instance.id);
    await expect(
      transactions.run(async (tx) => {
        const stored = await messages.storeWithEvent(m, { event: 'messages.upsert', data: upsertData(m.waMessageId) }, tx);
        expect(stored.event?.deliveries).toHaveLength(1);
        throw new Error('crash after both inserts');
      }),
    ).rejects.toThrow('crash after both inserts');
    const where = { instanceId: instance.id };
    expect(await db.dataSource.getRepository(MessageEntity).countBy(where)).toBe(0);
    expect(await db.dataSource.getRepository(WebhookEventEntity).countBy(where)).toBe(0);
    expect(await db.dataSource.getRepository(WebhookDeliveryEntity).countBy(where)).toBe(0);
    expect(await db.dataSource.getRepository(ChatEntity).countBy(where)).toBe(0);
    expect(await events.lastSequence(instance.id)).toBe(0);
    // And the message can still be stored afterwards (a redelivery after the crash).
    expect((await messages.storeWithEvent(m, { event: 'messages.upsert', data: upsertData(m.waMessageId) })).event?.event.sequence).toBe(1);
  });

  it('a status change and its messages.update event commit together', async () => {
    const instance = await makeInstance(db.dataSource, { webhookUrl: 'https://hooks.example.com/in' });
    const queued = await queueOutgoing(db.dataSource, messages, { instanceId: instance.id, waMessageId: 'ABC123', chatJid: 'x@s.whatsapp.net', type: 'text', text: 'oi' });
    const emitted = await messages.updateStatusWithEvent(instance.id, { waMessageId: 'ABC123' }, 'delivered');
    expect(emitted?.event.event).toMatchObject({
      event: 'messages.update',
      payload: { key: { remoteJid: 'x@s.whatsapp.net', fromMe: true, id: 'ABC123' }, status: 'delivered', messageId: queued.id },
    });
    expect(emitted?.event.deliveries).toHaveLength(1);
    expect((await messages.findById(instance.id, queued.id))?.status).toBe('delivered');
    // Inside a transaction that rolls back, neither the status nor the event stays.
    await expect(
      transactions.run(async (tx) => {
        await messages.updateStatusWithEvent(instance.id, { waMessageId: 'ABC123' }, 'read', {}, tx);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await messages.findById(instance.id, queued.id))?.status).toBe('delivered');
    expect((await events.listAfter(instance.id, emitted!.event.event.sequence)).length).toBe(0);
  });
});

describe('which events get deliveries', () => {
  it('none without a webhook URL (the event is still recorded for the live stream)', async () => {
    const instance = await makeInstance(db.dataSource);
    const appended = await events.append({ instanceId: instance.id, event: 'connection.update', data: { status: 'qr' } });
    expect(appended.deliveries).toEqual([]);
    expect(await events.findById(instance.id, appended.event.id)).not.toBeNull();
  });

  it('only subscribed events when the instance lists webhookEvents', async () => {
    const instance = await makeInstance(db.dataSource, { webhookUrl: 'https://hooks.example.com/sub', webhookEvents: ['messages.upsert'] });
    const skipped = await events.append({ instanceId: instance.id, event: 'presence.update', data: { id: 'x', presences: {} } });
    const kept = await events.append({ instanceId: instance.id, event: 'messages.upsert', data: {} });
    expect(skipped.deliveries).toEqual([]);
    expect(kept.deliveries).toHaveLength(1);
  });

  it('listAfter returns what a live-stream client missed, in order', async () => {
    const instance = await makeInstance(db.dataSource);
    for (let i = 0; i < 5; i++) await events.append({ instanceId: instance.id, event: 'connection.update', data: { status: `s${i}` } });
    const missed = await events.listAfter(instance.id, 2);
    expect(missed.map((e) => e.sequence)).toEqual([3, 4, 5]);
    expect(await events.listAfter(instance.id, 4, 10)).toHaveLength(1);
  });
});

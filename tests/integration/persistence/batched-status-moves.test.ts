import pino from 'pino';
import { BatchedStatusMoves } from '../../../src/persistence/batched-status-moves.js';
import { WebhookDeliveryEntity } from '../../../src/persistence/entities/webhook-delivery.entity.js';
import { WebhookEventEntity } from '../../../src/persistence/entities/webhook-event.entity.js';
import { GroupCommitClosedError } from '../../../src/persistence/group-commit.js';
import { STATUS_VIEW_FIELDS, type MessageStatusView } from '../../../src/persistence/repositories/message-status-view.js';
import { MessageRepository } from '../../../src/persistence/repositories/message-repository.js';
import { StatusMoveRepository, type StatusMove, type StatusMoved } from '../../../src/persistence/repositories/status-move-repository.js';
import { WebhookEventRepository } from '../../../src/persistence/repositories/webhook-event-repository.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { inParallel, makeInstance, queueOutgoing, waId } from './persistence-fixtures.js';

let db: TestDatabase;
let messages: MessageRepository;
let statusMoves: StatusMoveRepository;
let events: WebhookEventRepository;
beforeAll(async () => {
  db = await createTestDatabase();
  messages = new MessageRepository(db.dataSource);
  statusMoves = new StatusMoveRepository(db.dataSource);
  events = new WebhookEventRepository(db.dataSource);
});
afterAll(async () => {
  await db.close();
});

const logger = pino({ level: 'silent' });
const t = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s));

/** BatchedStatusMoves over the real repositories, counting the batch statements it runs. */
function batched() {
  const batches: number[] = [];
  const moves = new BatchedStatusMoves({
    moves: { applyMoves: (items) => (batches.push(items.length), statusMoves.applyMoves(items)) },
    messages,
    logger,
  });
  return { moves, batches };
}

/** Two instances (one with a webhook URL), and queued messages in each, with the same WhatsApp ids every call. */
async function world() {
  const a = await makeInstance(db.dataSource, { name: 'Vendas', webhookUrl: 'https://hooks.example.com/a' });
  const b = await makeInstance(db.dataSource, { name: 'Suporte' });
  const queue = (instanceId: string, waMessageId: string) =>
    queueOutgoing(db.dataSource, messages, { instanceId, waMessageId, chatJid: '5511999999999@s.whatsapp.net', type: 'text', text: 'oi' });
  const m = [
    await queue(a.id, '3EB0000000000000000001'),
    await queue(a.id, '3EB0000000000000000002'),
    await queue(a.id, '3EB0000000000000000003'),
    await queue(a.id, '3EB0000000000000000004'),
    await queue(b.id, '3EB0000000000000000005'),
    await queue(b.id, '3EB0000000000000000006'),
  ] as const;
  return { a: a.id, b: b.id, m };
}

/** A send day in one list: forward moves, late and backward ones, several moves of one message, an unknown one. */
function script(w: Awaited<ReturnType<typeof world>>): StatusMove[] {
  const [m1, m2, m3, m4, m5, m6] = w.m;
  return [
    { instanceId: w.a, ref: { id: m1.id }, status: 'sent', at: t(1) },
    { instanceId: w.b, ref: { id: m5.id }, status: 'sent', at: t(1) },
    { instanceId: w.a, ref: { waMessageId: m1.waMessageId }, status: 'delivered', at: t(2) },
    { instanceId: w.a, ref: { id: m2.id }, status: 'failed', at: t(2), error: 'not on WhatsApp', errorCode: 'not_on_whatsapp' },
    { instanceId: w.a, ref: { id: m1.id }, status: 'read', at: t(3) },
    { instanceId: w.a, ref: { waMessageId: m3.waMessageId }, status: 'read', at: t(4) },
    { instanceId: w.a, ref: { id: m1.id }, status: 'delivered', at: t(5) },
    { instanceId: w.a, ref: { waMessageId: m2.waMessageId }, status: 'sent', at: t(6) },
    { instanceId: w.b, ref: { id: m6.id }, status: 'sending', at: t(6) },
    { instanceId: w.b, ref: { id: m6.id }, status: 'failed', at: t(7), error: 'timed out', errorCode: 'timeout' },
    { instanceId: w.b, ref: { waMessageId: m5.waMessageId }, status: 'sent', at: t(8) },
    { instanceId: w.a, ref: { id: 'msg_doesnotexist0000000' }, status: 'delivered', at: t(8) },
    { instanceId: w.b, ref: { id: m1.id }, status: 'played', at: t(8) }, // another instance's message
    { instanceId: w.a, ref: { id: m4.id }, status: 'queued', at: t(8) },
    { instanceId: w.a, ref: { id: m2.id }, status: 'failed', at: t(9), error: 'late' },
    { instanceId: w.b, ref: { id: m6.id }, status: 'played', at: t(9) },
  ];
}

/** What a user sees of one move's result, with the world's ids replaced by their place in it. */
function seen(w: Awaited<ReturnType<typeof world>>, result: StatusMoved | null) {
  if (!result) return null;
  const which = (id: string) => w.m.findIndex((m) => m.id === id);
  const { message, event } = result;
  const payload = event.event.payload as { messageId: string };
  expect(payload.messageId).toBe(message.id);
  expect(event.event.instanceId).toBe(message.instanceId);
  return {
    message: which(message.id),
    instance: message.instanceId === w.a ? 'a' : 'b',
    row: pick(message),
    event: { event: event.event.event, instanceName: event.event.instanceName, sequence: event.event.sequence, payload: { ...payload, messageId: which(payload.messageId) } },
    deliveries: event.deliveries.map((d) => ({ eventId: d.eventId === event.event.id, url: d.url, status: d.status, event: d.event })),
  };
}

const pick = (m: MessageStatusView) => ({
  status: m.status,
  sentAt: m.sentAt,
  deliveredAt: m.deliveredAt,
  readAt: m.readAt,
  playedAt: m.playedAt,
  failedAt: m.failedAt,
  error: m.error,
  errorCode: m.errorCode,
  waMessageId: m.waMessageId,
  chatJid: m.chatJid,
  fromMe: m.fromMe,
});

async function stored(w: Awaited<ReturnType<typeof world>>) {
  const rows = await Promise.all(w.m.map((m) => messages.findById(m.instanceId, m.id)));
  const evs = await Promise.all([w.a, w.b].map((id) => events.listAfter(id, 0)));
  return {
    rows: rows.map((r) => (r ? pick(r) : null)),
    events: evs.map((list) => list.map((e) => ({ sequence: e.sequence, event: e.event, status: (e.payload as { status: string }).status }))),
    deliveries: await Promise.all([w.a, w.b].map((instanceId) => db.dataSource.getRepository(WebhookDeliveryEntity).countBy({ instanceId }))),
  };
}

describe('status moves in one statement', () => {
  it('give the same results, rows, events and deliveries as the same moves one by one', async () => {
    const one = await world();
    const sequential: Array<StatusMoved | null> = [];
    for (const move of script(one)) {
      sequential.push(await messages.updateStatusWithEvent(move.instanceId, move.ref, move.status, move));
    }
    const other = await world();
    const together = await statusMoves.applyMoves(script(other));

    expect(together.map((r) => seen(other, r))).toEqual(sequential.map((r) => seen(one, r)));
    expect(await stored(other)).toEqual(await stored(one));
    // The script exercises what it claims: 10 moves forward, 6 that change nothing.
    expect(together.filter((r) => r !== null)).toHaveLength(10);
  });

  it('through BatchedStatusMoves: moves submitted together are one statement, each resolved with its own result', async () => {
    const one = await world();
    const sequential: Array<StatusMoved | null> = [];
    for (const move of script(one)) {
      sequential.push(await messages.updateStatusWithEvent(move.instanceId, move.ref, move.status, move));
    }
    const other = await world();
    const { moves, batches } = batched();
    const together = await Promise.all(script(other).map((move) => moves.move(move)));
    expect(batches).toEqual([16]);
    expect(together.map((r) => seen(other, r))).toEqual(sequential.map((r) => seen(one, r)));
    expect(await stored(other)).toEqual(await stored(one));
    await moves.close();
  });

  it('sent, delivered and read of one message in one batch: three events in order, each with the row as it stood', async () => {
    const w = await world();
    const m1 = w.m[0];
    const [sent, delivered, read] = await statusMoves.applyMoves([
      { instanceId: w.a, ref: { id: m1.id }, status: 'sent', at: t(1) },
      { instanceId: w.a, ref: { waMessageId: m1.waMessageId }, status: 'delivered', at: t(2) },
      { instanceId: w.a, ref: { waMessageId: m1.waMessageId }, status: 'read', at: t(3) },
    ]);
    expect(sent?.message).toMatchObject({ status: 'sent', sentAt: t(1), deliveredAt: null, readAt: null });
    expect(delivered?.message).toMatchObject({ status: 'delivered', sentAt: t(1), deliveredAt: t(2), readAt: null });
    expect(read?.message).toMatchObject({ status: 'read', sentAt: t(1), deliveredAt: t(2), readAt: t(3) });
    expect([sent, delivered, read].map((r) => r?.event.event.sequence)).toEqual([1, 2, 3]);
    expect([sent, delivered, read].map((r) => (r?.event.event.payload as { status: string }).status)).toEqual(['sent', 'delivered', 'read']);
    expect([sent, delivered, read].map((r) => r?.event.deliveries.length)).toEqual([1, 1, 1]);
    expect(await messages.findById(w.a, m1.id)).toMatchObject({ status: 'read', sentAt: t(1), deliveredAt: t(2), readAt: t(3) });
  });

  it('a move returns the status view of the message, batched or alone, not the whole row', async () => {
    const w = await world();
    const [batched] = await statusMoves.applyMoves([{ instanceId: w.a, ref: { id: w.m[0].id }, status: 'sent', at: t(1) }]);
    const alone = await messages.updateStatusWithEvent(w.a, { id: w.m[1].id }, 'sent', { at: t(1) });
    for (const [result, m] of [[batched, w.m[0]], [alone, w.m[1]]] as const) {
      expect(Object.keys(result?.message ?? {}).sort()).toEqual([...STATUS_VIEW_FIELDS].sort());
      expect(result?.message).toEqual({ ...pick(m), id: m.id, instanceId: m.instanceId, status: 'sent', sentAt: t(1) });
    }
  });

  it('a backward move changes nothing and emits nothing', async () => {
    const w = await world();
    const m1 = w.m[0];
    await messages.updateStatusWithEvent(w.a, { id: m1.id }, 'read', { at: t(1) });
    const before = await messages.findById(w.a, m1.id);
    const results = await statusMoves.applyMoves([
      { instanceId: w.a, ref: { id: m1.id }, status: 'delivered', at: t(2) },
      { instanceId: w.a, ref: { waMessageId: m1.waMessageId }, status: 'sent', at: t(3) },
      { instanceId: w.a, ref: { id: m1.id }, status: 'read', at: t(4) },
    ]);
    expect(results).toEqual([null, null, null]);
    expect(await messages.findById(w.a, m1.id)).toEqual(before);
    expect(await events.lastSequence(w.a)).toBe(1);
    expect(await db.dataSource.getRepository(WebhookEventEntity).countBy({ instanceId: w.a })).toBe(1);
  });

  it('sequences stay consecutive per instance, in move order, with single moves and other batches running at once', async () => {
    const a = await makeInstance(db.dataSource, { webhookUrl: 'https://hooks.example.com/seq' });
    const b = await makeInstance(db.dataSource);
    const queued = await inParallel(60, (i) =>
      queueOutgoing(db.dataSource, messages, { instanceId: i % 2 ? b.id : a.id, waMessageId: waId(), chatJid: 'x@s.whatsapp.net', type: 'text', text: 'oi' }),
    );
    // Four batches of 10 moves and 20 single moves, all at once; every move is forward.
    const moves: StatusMove[] = queued.map((m) => ({ instanceId: m.instanceId, ref: { id: m.id }, status: 'sent' }));
    const batchResults = await Promise.all([
      statusMoves.applyMoves(moves.slice(0, 10)),
      statusMoves.applyMoves(moves.slice(10, 20)),
      statusMoves.applyMoves(moves.slice(20, 30)),
      statusMoves.applyMoves(moves.slice(30, 40)),
      ...moves.slice(40).map(async (m) => [await messages.updateStatusWithEvent(m.instanceId, m.ref, m.status)]),
    ]);
    for (const results of batchResults.slice(0, 4)) {
      for (const instanceId of [a.id, b.id]) {
        const sequences = results.filter((r) => r?.message.instanceId === instanceId).map((r) => r?.event.event.sequence ?? 0);
        expect(sequences).toHaveLength(5);
        expect(sequences).toEqual(sequences.map((_s, i) => (sequences[0] ?? 0) + i));
      }
    }
    for (const instanceId of [a.id, b.id]) {
      const all = batchResults.flat().filter((r) => r?.message.instanceId === instanceId).map((r) => r?.event.event.sequence);
      expect(all.sort((x, y) => (x ?? 0) - (y ?? 0))).toEqual(Array.from({ length: 30 }, (_v, i) => i + 1));
      expect(await events.lastSequence(instanceId)).toBe(30);
    }
    expect(await db.dataSource.getRepository(WebhookDeliveryEntity).countBy({ instanceId: a.id })).toBe(30);
  });
});

describe('BatchedStatusMoves', () => {
  it('a move with bad data fails alone; the others of its batch are applied', async () => {
    const w = await world();
    const [m1, m2, m3] = w.m;
    const { moves, batches } = batched();
    const outcomes = await Promise.allSettled([
      moves.move({ instanceId: w.a, ref: { id: m1.id }, status: 'sent', at: t(1) }),
      moves.move({ instanceId: w.a, ref: { id: m2.id }, status: 'sent', at: new Date(Number.NaN) }),
      moves.move({ instanceId: w.a, ref: { id: 'msg_doesnotexist0000000' }, status: 'sent' }),
      moves.move({ instanceId: w.a, ref: { id: m3.id }, status: 'delivered', at: t(2) }),
    ]);
    expect(batches).toEqual([4]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(outcomes[0]).toMatchObject({ value: { message: { status: 'sent' }, event: { event: { sequence: 1 } } } });
    expect(outcomes[2]).toEqual({ status: 'fulfilled', value: null });
    expect(outcomes[3]).toMatchObject({ value: { message: { status: 'delivered' }, event: { event: { sequence: 2 } } } });
    expect((await messages.findById(w.a, m2.id))?.status).toBe('queued');
    expect(await events.lastSequence(w.a)).toBe(2);
    await moves.close();
  });

  it('close() writes every move already submitted, then refuses new ones', async () => {
    const w = await world();
    const { moves } = batched();
    const pending = w.m.map((m) => moves.move({ instanceId: m.instanceId, ref: { id: m.id }, status: 'sent' }));
    await moves.close();
    expect(moves.depth).toEqual({ pending: 0, inFlight: 0 });
    const rows = await Promise.all(w.m.map((m) => messages.findById(m.instanceId, m.id)));
    expect(rows.map((r) => r?.status)).toEqual(Array(6).fill('sent'));
    expect((await Promise.all(pending)).every((r) => r !== null)).toBe(true);
    await expect(moves.move({ instanceId: w.a, ref: { id: w.m[0].id }, status: 'read' })).rejects.toBeInstanceOf(GroupCommitClosedError);
    await moves.close();
  });
});

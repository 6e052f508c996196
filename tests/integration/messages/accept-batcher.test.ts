import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { NotFoundError } from '../../../src/errors/not-found-error.js';
import { ChatEntity } from '../../../src/persistence/entities/chat.entity.js';
import { MessageEntity } from '../../../src/persistence/entities/message.entity.js';
import { GroupCommitClosedError } from '../../../src/persistence/group-commit.js';
import { isUniqueViolation } from '../../../src/persistence/is-unique-violation.js';
import { IdempotencyRepository } from '../../../src/persistence/repositories/idempotency-repository.js';
import { InstanceRepository } from '../../../src/persistence/repositories/instance-repository.js';
import { newMessageId, type NewOutgoingMessage } from '../../../src/persistence/repositories/message-inputs.js';
import { MessageRepository } from '../../../src/persistence/repositories/message-repository.js';
import { deleteKeysMatching } from '../../../src/persistence/redis/scan-keys.js';
import { TransactionRunner } from '../../../src/persistence/transaction-runner.js';
import type { SendJobPayload } from '../../../src/queues/job-payloads.js';
import { createQueueConnection } from '../../../src/queues/queue-connection.js';
import { QueueNaming } from '../../../src/queues/queue-naming.js';
import type { SendStatusSink } from '../../../src/queues/send-ports.js';
import { SendQueue } from '../../../src/queues/send-queue.js';
import { AcceptBatcher, type AcceptBatcherDeps, type AcceptItem } from '../../../src/services/messages/accept-batcher.js';
import { LocalDiskMediaStorage } from '../../../src/services/messages/media-storage.js';
import { MessagingService } from '../../../src/services/messages/messaging-service.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { testRedisUrl } from '../../support/redis.js';
import { makeInstance, waId } from '../persistence/persistence-fixtures.js';

const logger = pino({ level: 'silent' });
const prefix = `zaptest:accept-${randomBytes(6).toString('hex')}`;
const noSink: SendStatusSink = { onSent: async () => undefined, onFailed: async () => undefined };

type AcceptPort = AcceptBatcherDeps['messages'];

/** The real repository, counting the statements the accepts cost. */
class CountingMessages implements AcceptPort {
  readonly batches: number[] = [];
  alone = 0;
  constructor(private readonly real: MessageRepository) {}

  acceptOutgoingMany(items: Parameters<MessageRepository['acceptOutgoingMany']>[0]): Promise<boolean[]> {
    this.batches.push(items.length);
    return this.real.acceptOutgoingMany(items);
  }

  acceptOutgoing(tenantId: string, input: NewOutgoingMessage): ReturnType<MessageRepository['acceptOutgoing']> {
    this.alone += 1;
    return this.real.acceptOutgoing(tenantId, input);
  }
}

let db: TestDatabase;
let connection: Redis;
let messages: MessageRepository;
let queue: SendQueue;

beforeAll(async () => {
  db = await createTestDatabase();
  connection = createQueueConnection(testRedisUrl);
  messages = new MessageRepository(db.dataSource);
});

beforeEach(() => {
  // Fresh lanes per test: they are shared by every instance.
  queue = new SendQueue({ connection, naming: new QueueNaming(`${prefix}:${randomBytes(4).toString('hex')}`), sink: noSink, logger });
});

afterEach(async () => {
  await queue.close();
});

afterAll(async () => {
  await deleteKeysMatching(connection, `${prefix}:*`);
  await connection.quit();
  await db.close();
});

/** The instance's jobs not yet started, oldest first. */
async function jobsOf(instanceId: string): Promise<SendJobPayload[]> {
  const jobs = await queue.queueFor(instanceId).getJobs(['wait', 'prioritized', 'delayed'], 0, -1, true);
  return jobs.map((j) => j.data as SendJobPayload).filter((d) => d.instanceId === instanceId);
}

const textOf = (job: SendJobPayload) => (job.content.type === 'text' ? job.content.text : '');
const rowsOf = (instanceId: string) => db.dataSource.getRepository(MessageEntity).findBy({ instanceId });

/** A send as MessagingService hands it to the batcher. */
function item(tenantId: string, instanceId: string, n: number, overrides: Partial<NewOutgoingMessage> = {}): AcceptItem {
  const id = overrides.id ?? newMessageId();
  const wa = overrides.waMessageId ?? waId();
  const to = overrides.chatJid ?? '5511988887777@s.whatsapp.net';
  const payload: SendJobPayload = { instanceId, messageId: id, waMessageId: wa, to, content: { type: 'text', text: `message ${n}` } };
  return {
    tenantId,
    payload,
    input: { instanceId, chatJid: to, type: 'text', text: `message ${n}`, raw: { send: payload }, ...overrides, id, waMessageId: wa },
  };
}

/** MessagingService on this file's database and lanes, accepting through `batcher`. */
function messagingWith(batcher: AcceptBatcher, onEnqueued?: (instanceId: string) => void): MessagingService {
  return new MessagingService({
    instances: new InstanceRepository(db.dataSource),
    messages,
    idempotency: new IdempotencyRepository(db.dataSource),
    transactions: new TransactionRunner(db.dataSource),
    queue,
    batcher,
    storage: new LocalDiskMediaStorage(mkdtempSync(join(tmpdir(), 'zap-accept-'))),
    limits: { image: 1e6, video: 1e6, audio: 1e6, document: 1e6 },
    allowPrivateUrls: false,
    logger,
    ...(onEnqueued ? { onEnqueued } : {}),
  });
}

describe('group commit of accepts', () => {
  it('a burst of sends through the service lands as rows and jobs, in order per instance, with fewer statements than sends', async () => {
    const [one, two] = await Promise.all([makeInstance(db.dataSource), makeInstance(db.dataSource)]);
    const counting = new CountingMessages(messages);
    const batcher = new AcceptBatcher({ messages: counting, queue, logger, maxBatch: 8 });
    const ensured: string[] = [];
    const service = messagingWith(batcher, (instanceId) => void ensured.push(instanceId));

    const sends = Array.from({ length: 40 }, (_v, n) => {
      const instance = n % 2 === 0 ? one : two;
      return service.sendText(instance.tenantId, instance.id, { to: '5511977776666', message: `message ${n}` });
    });
    const accepted = await Promise.all(sends);

    expect(accepted.every((a) => a.status === 202)).toBe(true);
    expect(counting.alone).toBe(0);
    expect(counting.batches.reduce((a, b) => a + b, 0)).toBe(40);
    expect(counting.batches.length).toBeLessThan(40);
    for (const [instance, parity] of [[one, 0], [two, 1]] as const) {
      const expected = Array.from({ length: 20 }, (_v, i) => `message ${2 * i + parity}`);
      expect((await jobsOf(instance.id)).map(textOf)).toEqual(expected);
      const rows = await rowsOf(instance.id);
      expect(rows.map((r) => r.status)).toEqual(Array(20).fill('queued'));
      expect(rows.map((r) => r.text).sort()).toEqual([...expected].sort());
    }
    expect(ensured.filter((id) => id === one.id)).toHaveLength(20);
    await batcher.close();
  });

  it('the batched insert stores the same row as the one-by-one accept', async () => {
    const instance = await makeInstance(db.dataSource);
    const rich: Omit<NewOutgoingMessage, 'id' | 'waMessageId'> = {
      instanceId: instance.id,
      chatJid: '120363000000000001@g.us',
      type: 'audio',
      caption: 'ouça\u0000',
      mediaUrl: 'https://example.com/a.ogg',
      mediaMimetype: 'audio/ogg',
      mediaFileName: 'a.ogg',
      mediaSize: 5_000_000_000,
      mediaSha256: 'ab'.repeat(32),
      mediaStorageKey: 'k/a.ogg',
      mediaStatus: 'stored',
      ptt: true,
      mentions: ['5511911112222@s.whatsapp.net', '5511933334444@s.whatsapp.net'],
      quotedWaMessageId: waId(),
      content: { kind: 'location', latitude: -23.5, longitude: -46.6, name: null, address: 'Av. Paulista', url: null, live: false },
      raw: { send: { nested: [1, 'two', null] } },
      messageTimestamp: new Date('2024-03-01T10:00:00.123Z'),
    };
    const alone = await messages.acceptOutgoing(instance.tenantId, { ...rich, id: newMessageId(), waMessageId: waId() });
    const batchId = newMessageId();
    expect(await messages.acceptOutgoingMany([
      { tenantId: instance.tenantId, input: { ...rich, id: batchId, waMessageId: waId() } },
      { tenantId: instance.tenantId, input: { instanceId: instance.id, chatJid: rich.chatJid, type: 'text', text: 'plain', waMessageId: waId() } },
    ])).toEqual([true, true]);
    const batched = await db.dataSource.getRepository(MessageEntity).findOneByOrFail({ id: batchId });
    const plain = await db.dataSource.getRepository(MessageEntity).findOneByOrFail({ instanceId: instance.id, text: 'plain' });

    const comparable = (m: MessageEntity) => ({ ...m, id: undefined, waMessageId: undefined, createdAt: undefined, updatedAt: undefined });
    expect(comparable(batched)).toEqual(comparable(alone!));
    expect(batched).toMatchObject({ caption: 'ouça', fromMe: true, status: 'queued', ptt: true, mediaSize: 5_000_000_000 });
    expect(plain).toMatchObject({ ptt: false, mentions: null, content: null, raw: null, reactions: {}, fromMe: true, status: 'queued' });
    const chat = await db.dataSource.getRepository(ChatEntity).findOneByOrFail({ instanceId: instance.id, jid: rich.chatJid });
    expect(chat).toMatchObject({ isGroup: true, unreadCount: 0 });
    expect(chat.lastMessageAt!.getTime()).toBeGreaterThanOrEqual(rich.messageTimestamp!.getTime());
  });

  it("another tenant's instance is not found for that send only", async () => {
    const [mine, theirs] = await Promise.all([makeInstance(db.dataSource), makeInstance(db.dataSource)]);
    const counting = new CountingMessages(messages);
    const batcher = new AcceptBatcher({ messages: counting, queue, logger });

    const results = await Promise.all([
      batcher.accept(item(mine.tenantId, mine.id, 1)),
      batcher.accept(item(mine.tenantId, theirs.id, 2)),
      batcher.accept(item(mine.tenantId, mine.id, 3)),
    ]);

    expect(results).toEqual([true, false, true]);
    expect(counting.batches).toEqual([3]);
    expect(counting.alone).toBe(0);
    expect((await jobsOf(mine.id)).map(textOf)).toEqual(['message 1', 'message 3']);
    expect(await jobsOf(theirs.id)).toEqual([]);
    expect(await rowsOf(theirs.id)).toEqual([]);
    await batcher.close();
  });

  it('a taken WhatsApp id fails only its own send: the batch is retried one by one', async () => {
    const instance = await makeInstance(db.dataSource);
    const counting = new CountingMessages(messages);
    const batcher = new AcceptBatcher({ messages: counting, queue, logger });
    const taken = waId();

    const results = await Promise.allSettled([
      batcher.accept(item(instance.tenantId, instance.id, 1)),
      batcher.accept(item(instance.tenantId, instance.id, 2, { waMessageId: taken })),
      batcher.accept(item(instance.tenantId, instance.id, 3, { waMessageId: taken })),
      batcher.accept(item(instance.tenantId, instance.id, 4)),
    ]);

    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(isUniqueViolation((results[2] as PromiseRejectedResult).reason)).toBe(true);
    expect(counting.batches).toEqual([4]);
    expect(counting.alone).toBe(4);
    expect((await jobsOf(instance.id)).map(textOf)).toEqual(['message 1', 'message 2', 'message 4']);
    expect(await rowsOf(instance.id)).toHaveLength(3);
    await batcher.close();
  });

  it('several sends to one chat in one batch move its last message time to the latest of them', async () => {
    const instance = await makeInstance(db.dataSource);
    const counting = new CountingMessages(messages);
    const batcher = new AcceptBatcher({ messages: counting, queue, logger });
    const chatJid = '5511955554444@s.whatsapp.net';
    const times = ['2024-03-01T10:00:02Z', '2024-03-01T10:00:05Z', '2024-03-01T10:00:01Z'].map((t) => new Date(t));

    await Promise.all(times.map((messageTimestamp, n) => batcher.accept(item(instance.tenantId, instance.id, n, { chatJid, messageTimestamp }))));

    expect(counting.batches).toEqual([3]);
    expect(counting.alone).toBe(0);
    const chats = await db.dataSource.getRepository(ChatEntity).findBy({ instanceId: instance.id });
    expect(chats).toHaveLength(1);
    expect(chats[0]).toMatchObject({ jid: chatJid, isGroup: false, unreadCount: 0, lastMessageAt: new Date('2024-03-01T10:00:05Z') });
    await batcher.close();
  });

  it('when the jobs cannot be added, the sends are refused and their rows stay queued for recovery', async () => {
    const instance = await makeInstance(db.dataSource);
    const down = new Error('redis is down');
    const batcher = new AcceptBatcher({
      messages,
      queue: { enqueueSends: () => Promise.reject(down), enqueueSend: () => Promise.reject(down) },
      logger,
    });

    const results = await Promise.allSettled([1, 2].map((n) => batcher.accept(item(instance.tenantId, instance.id, n))));

    expect(results).toEqual([
      { status: 'rejected', reason: down },
      { status: 'rejected', reason: down },
    ]);
    expect((await rowsOf(instance.id)).map((r) => r.status)).toEqual(['queued', 'queued']);
    await batcher.close();
  });

  it('adding the same sends again adds no second job (the job id is the message id)', async () => {
    const instance = await makeInstance(db.dataSource);
    const payloads = [1, 2].map((n) => item(instance.tenantId, instance.id, n).payload);

    await queue.enqueueSends(payloads);
    await queue.enqueueSends(payloads);
    await queue.enqueueSend(payloads[0]!);

    expect((await jobsOf(instance.id)).map(textOf)).toEqual(['message 1', 'message 2']);
  });

  it('close() finishes the sends already submitted and refuses new ones', async () => {
    const instance = await makeInstance(db.dataSource);
    const batcher = new AcceptBatcher({ messages, queue, logger, maxBatch: 2, maxInFlight: 1 });

    const pending = [1, 2, 3, 4, 5].map((n) => batcher.accept(item(instance.tenantId, instance.id, n)));
    await batcher.close();

    expect(await Promise.all(pending)).toEqual([true, true, true, true, true]);
    expect((await jobsOf(instance.id)).map(textOf)).toEqual([1, 2, 3, 4, 5].map((n) => `message ${n}`));
    await expect(batcher.accept(item(instance.tenantId, instance.id, 6))).rejects.toBeInstanceOf(GroupCommitClosedError);
    await batcher.close();
  });

  it('the service answers another tenant\'s instance with not found', async () => {
    const [mine, theirs] = await Promise.all([makeInstance(db.dataSource), makeInstance(db.dataSource)]);
    const batcher = new AcceptBatcher({ messages, queue, logger });
    const service = messagingWith(batcher);

    await expect(service.sendText(mine.tenantId, theirs.id, { to: '5511977776666', message: 'oi' })).rejects.toBeInstanceOf(NotFoundError);
    expect(await rowsOf(theirs.id)).toEqual([]);
    await batcher.close();
  });
});

import { MessageEntity } from '../../../src/persistence/entities/message.entity.js';
import { runSql } from '../../../src/persistence/sql.js';
import { IdempotencyRepository, type IdempotentResponse } from '../../../src/persistence/repositories/idempotency-repository.js';
import { newMessageId } from '../../../src/persistence/repositories/message-inputs.js';
import { MessageRepository } from '../../../src/persistence/repositories/message-repository.js';
import { TransactionRunner } from '../../../src/persistence/transaction-runner.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { inParallel, makeInstance, queueOutgoing, waId } from './persistence-fixtures.js';

let db: TestDatabase;
let keys: IdempotencyRepository;
beforeAll(async () => {
  db = await createTestDatabase();
  keys = new IdempotencyRepository(db.dataSource);
});
afterAll(async () => {
  await db.close();
});

async function scope(key = 'req-1') {
  const instance = await makeInstance(db.dataSource);
  return { tenantId: instance.tenantId, instanceId: instance.id, key };
}

const answer = (s: { tenantId: string; instanceId: string; key: string }, messageId = 'msg_first'): IdempotentResponse => ({
  ...s,
  requestHash: 'hash-1',
  responseStatus: 202,
  responseBody: { success: true, data: { messageId, status: 'queued' } },
  ttlMs: 24 * 3600 * 1000,
});

describe('idempotency keys', () => {
  it('the first answer is stored and found; a second save of the same key is refused and changes nothing', async () => {
    const s = await scope();
    expect(await keys.save(answer(s))).toBe(true);
    expect(await keys.save(answer(s, 'msg_second'))).toBe(false);
    expect(await keys.find(s)).toMatchObject({
      requestHash: 'hash-1',
      responseStatus: 202,
      responseBody: { success: true, data: { messageId: 'msg_first', status: 'queued' } },
      expiresAt: expect.any(Date),
    });
  });

  it('the key is scoped to tenant and instance', async () => {
    const a = await scope('same-key');
    const b = await scope('same-key');
    expect(await keys.save(answer(a))).toBe(true);
    expect(await keys.save(answer(b))).toBe(true);
    expect(await keys.find({ ...a, instanceId: b.instanceId })).toBeNull();
  });

  it('concurrent first requests: exactly one wins', async () => {
    const s = await scope();
    const saved = await inParallel(10, (i) => keys.save(answer(s, `msg_${i}`)));
    expect(saved.filter(Boolean)).toHaveLength(1);
  });

  it('an expired answer is not found and is replaced by the next request; deleteExpired removes old ones', async () => {
    const s = await scope();
    await keys.save({ ...answer(s), ttlMs: 0 });
    expect(await keys.find(s)).toBeNull();
    expect(await keys.save(answer(s, 'msg_new'))).toBe(true);
    expect((await keys.find(s))?.responseBody).toMatchObject({ data: { messageId: 'msg_new' } });
    const other = await scope();
    await keys.save({ ...answer(other), ttlMs: 0 });
    expect(await keys.deleteExpired()).toBeGreaterThanOrEqual(1);
    const { rows } = await runSql(db.dataSource.manager, `SELECT 1 FROM "idempotency_keys" WHERE "instance_id" = $1`, [other.instanceId]);
    expect(rows).toHaveLength(0);
  });

  it('with the queued message in one transaction: concurrent retries create one message and all get its answer', async () => {
    const s = await scope('send-once');
    const messages = new MessageRepository(db.dataSource);
    const transactions = new TransactionRunner(db.dataSource);
    class AlreadyAnswered extends Error {}
    const send = async () => {
      const earlier = await keys.find(s);
      if (earlier) return earlier.responseBody;
      try {
        return await transactions.run(async (tx) => {
          const message = await queueOutgoing(
            db.dataSource,
            messages,
            { id: newMessageId(), instanceId: s.instanceId, waMessageId: waId(), chatJid: 'x@s.whatsapp.net', type: 'text', text: 'oi' },
            tx,
          );
          const body = { success: true, data: { messageId: message.id, status: 'queued' } };
          if (!(await keys.save({ ...answer(s), responseBody: body }, tx))) throw new AlreadyAnswered();
          return body;
        });
      } catch (err) {
        if (!(err instanceof AlreadyAnswered)) throw err;
        return (await keys.find(s))?.responseBody;
      }
    };
    const bodies = await inParallel(8, send);
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    expect(await db.dataSource.getRepository(MessageEntity).countBy({ instanceId: s.instanceId })).toBe(1);
  });
});

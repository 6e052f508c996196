import { ATTEMPT_LOG_SIZE, WebhookDeliveryRepository, deliveryHostKey } from '../../../src/persistence/repositories/webhook-delivery-repository.js';
import { WebhookEventRepository } from '../../../src/persistence/repositories/webhook-event-repository.js';
import { runSql } from '../../../src/persistence/sql.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { inParallel, makeInstance } from './persistence-fixtures.js';

let db: TestDatabase;
let events: WebhookEventRepository;
let deliveries: WebhookDeliveryRepository;
beforeAll(async () => {
  db = await createTestDatabase();
  events = new WebhookEventRepository(db.dataSource);
  deliveries = new WebhookDeliveryRepository(db.dataSource);
});
afterAll(async () => {
  await db.close();
});
// Each test starts with no claimable delivery left by another.
beforeEach(async () => {
  await runSql(db.dataSource.manager, `UPDATE "webhook_deliveries" SET "status" = 'succeeded', "next_attempt_at" = NULL`);
});

/** An instance with a webhook and `n` pending deliveries; returns the instance id and delivery ids. */
async function pending(n: number, event = 'messages.upsert'): Promise<{ instanceId: string; ids: string[] }> {
  const instance = await makeInstance(db.dataSource, { webhookUrl: 'https://hooks.example.com/w' });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const appended = await events.append({ instanceId: instance.id, event, data: { i } });
    ids.push(...appended.deliveries.map((d) => d.id));
  }
  return { instanceId: instance.id, ids };
}

describe('claiming due deliveries', () => {
  it('returns the delivery with its event, counts the attempt and sets a lease', async () => {
    const { instanceId, ids } = await pending(1);
    await runSql(db.dataSource.manager, `UPDATE "instances" SET "webhook_secret" = 'v1.sealed' WHERE "id" = $1`, [instanceId]);
    const [claimed] = await deliveries.claimDue({ limit: 10, leaseMs: 30_000 });
    expect(claimed?.delivery).toMatchObject({ id: ids[0], status: 'delivering', attempts: 1, claimToken: expect.any(String) });
    expect(claimed?.sealedSecret).toBe('v1.sealed'); // the instance's stored secret comes with the claim
    expect(claimed?.event).toMatchObject({ event: 'messages.upsert', sequence: 1, payload: { i: 0 } });
    expect(claimed?.delivery.nextAttemptAt?.getTime()).toBeGreaterThan(Date.now() + 20_000);
    expect(await deliveries.claimDue({ limit: 10, leaseMs: 30_000 })).toEqual([]);
  });

  it('two concurrent claimers get disjoint sets that together cover every due delivery', async () => {
    const { ids } = await pending(40);
    const [a, b] = await Promise.all([
      deliveries.claimDue({ limit: 25, leaseMs: 60_000 }),
      deliveries.claimDue({ limit: 25, leaseMs: 60_000 }),
    ]);
    const aIds = a.map((c) => c.delivery.id);
    const bIds = b.map((c) => c.delivery.id);
    expect(aIds.filter((id) => bIds.includes(id))).toEqual([]);
    expect([...aIds, ...bIds].sort()).toEqual([...ids].sort());
  });

  it('many claimers at once never share a delivery', async () => {
    const { ids } = await pending(60);
    const batches = await inParallel(6, () => deliveries.claimDue({ limit: 7, leaseMs: 60_000 }));
    const all = batches.flat().map((c) => c.delivery.id);
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(42);
    const rest = await deliveries.claimDue({ limit: 100, leaseMs: 60_000 });
    expect([...all, ...rest.map((c) => c.delivery.id)].sort()).toEqual([...ids].sort());
  });

  it('skips rows another transaction has locked instead of waiting for them (SKIP LOCKED)', async () => {
    const { ids } = await pending(10);
    const locked = ids.slice(0, 4);
    const runner = db.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await runner.query(`SELECT 1 FROM "webhook_deliveries" WHERE "id" = ANY($1) FOR UPDATE`, [locked]);
      const started = Date.now();
      const claimed = await deliveries.claimDue({ limit: 100, leaseMs: 60_000 });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(claimed.map((c) => c.delivery.id).sort()).toEqual(ids.slice(4).sort());
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    expect((await deliveries.claimDue({ limit: 100, leaseMs: 60_000 })).map((c) => c.delivery.id).sort()).toEqual([...locked].sort());
  });

  it('a lapsed lease (worker died) makes the delivery claimable again; the dead worker cannot record an outcome', async () => {
    const { ids } = await pending(1);
    const [first] = await deliveries.claimDue({ limit: 1, leaseMs: 1 });
    await new Promise((r) => setTimeout(r, 20));
    const [second] = await deliveries.claimDue({ limit: 1, leaseMs: 60_000 });
    expect(second?.delivery).toMatchObject({ id: ids[0], attempts: 2 });
    expect(second?.delivery.claimToken).not.toBe(first?.delivery.claimToken);
    expect(await deliveries.markSucceeded(ids[0] as string, first?.delivery.claimToken as string, { statusCode: 200 })).toBe(false);
    expect(await deliveries.markSucceeded(ids[0] as string, second?.delivery.claimToken as string, { statusCode: 200 })).toBe(true);
  });

  it('records many successes in one statement, leaving out a delivery whose claim lapsed', async () => {
    const { ids } = await pending(3);
    const claimed = await deliveries.claimDue({ limit: 3, leaseMs: 60_000 });
    const stale = claimed.find((c) => c.delivery.id === ids[2])!;
    await new Promise((r) => setTimeout(r, 5));
    const marks = claimed.map((c) => ({ id: c.delivery.id, claimToken: c.delivery.claimToken as string, statusCode: 204 }));
    marks[marks.findIndex((m) => m.id === stale.delivery.id)]!.claimToken = '00000000-0000-4000-8000-000000000000';
    const recorded = await deliveries.markManySucceeded(marks);
    expect([...recorded].sort()).toEqual([ids[0], ids[1]].sort());
    const { rows } = await runSql<{ id: string; status: string; code: number | null }>(
      db.dataSource.manager,
      `SELECT "id", "status", "last_status_code" AS code FROM "webhook_deliveries" WHERE "id" = ANY($1::text[])`,
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, [r.status, r.code]]));
    expect(ids.map((id) => byId.get(id as string))).toEqual([['succeeded', 204], ['succeeded', 204], ['delivering', null]]);
    await expect(deliveries.markManySucceeded([])).resolves.toEqual(new Set());
  });

  it('records successes and claims the next deliveries in one statement', async () => {
    const first = await pending(2);
    const claimed = await deliveries.claimDue({ limit: 2, leaseMs: 60_000 });
    const marks = claimed.map((c) => ({ id: c.delivery.id, claimToken: c.delivery.claimToken as string, statusCode: 200 }));
    marks[1]!.claimToken = '00000000-0000-4000-8000-000000000000'; // a lapsed claim: not recorded
    const next = await pending(2);
    const result = await deliveries.markSucceededAndClaimDue(marks, { limit: 10, leaseMs: 60_000 });
    expect([...result.recorded]).toEqual([marks[0]!.id]);
    expect(result.claimed.map((c) => c.delivery.id).sort()).toEqual([...next.ids].sort());
    expect(result.claimed.every((c) => c.event.instanceId === next.instanceId && c.delivery.status === 'delivering')).toBe(true);
    const statusOf = async (id: string) => (await deliveries.findForInstance(first.instanceId, id))?.status;
    expect([await statusOf(marks[0]!.id), await statusOf(marks[1]!.id)]).toEqual(['succeeded', 'delivering']);
    // Nothing due: the successes are still recorded, and nothing is claimed.
    const again = result.claimed.map((c) => ({ id: c.delivery.id, claimToken: c.delivery.claimToken as string, statusCode: 202 }));
    const idle = await deliveries.markSucceededAndClaimDue(again, { limit: 10, leaseMs: 60_000 });
    expect([...idle.recorded].sort()).toEqual([...next.ids].sort());
    expect(idle.claimed).toEqual([]);
    expect(await deliveries.markSucceededAndClaimDue([], { limit: 10, leaseMs: 60_000 })).toEqual({ recorded: new Set(), claimed: [] });
  });

  it('leaves out the hosts the caller asks to skip (per-host fairness)', async () => {
    const busy = await makeInstance(db.dataSource, { webhookUrl: 'https://Busy.example.com:8443/hook' });
    const other = await makeInstance(db.dataSource, { webhookUrl: 'https://other.example.com/hook' });
    await events.append({ instanceId: busy.id, event: 'messages.upsert', data: {} });
    const { deliveries: [otherDelivery] } = await events.append({ instanceId: other.id, event: 'messages.upsert', data: {} });
    expect(deliveryHostKey('https://Busy.example.com:8443/hook')).toBe('busy.example.com:8443');
    const claimed = await deliveries.claimDue({ limit: 10, leaseMs: 60_000, skipHosts: ['busy.example.com:8443'] });
    expect(claimed.map((c) => c.delivery.id)).toEqual([otherDelivery?.id]);
    expect(await deliveries.claimDue({ limit: 10, leaseMs: 60_000 })).toHaveLength(1);
  });
});

describe('recording outcomes', () => {
  it('retry: pending again after the delay, with the status code and error kept for the log', async () => {
    const { instanceId, ids } = await pending(1);
    const [c] = await deliveries.claimDue({ limit: 1, leaseMs: 60_000 });
    const before = Date.now();
    expect(await deliveries.markRetry(ids[0] as string, c?.delivery.claimToken as string, { delayMs: 10_000, statusCode: 500, error: 'HTTP 500' })).toBe(true);
    const row = await deliveries.findForInstance(instanceId, ids[0] as string);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500, lastError: 'HTTP 500', claimToken: null });
    expect(row?.nextAttemptAt?.getTime()).toBeGreaterThanOrEqual(before + 9_000);
    expect(await deliveries.claimDue({ limit: 1, leaseMs: 60_000 })).toEqual([]);
  });

  it('retry with no delay is due at once; success then records delivered_at', async () => {
    const { instanceId, ids } = await pending(1);
    const id = ids[0] as string;
    const [c1] = await deliveries.claimDue({ limit: 1, leaseMs: 60_000 });
    await deliveries.markRetry(id, c1?.delivery.claimToken as string, { delayMs: 0, error: 'ECONNREFUSED' });
    const [c2] = await deliveries.claimDue({ limit: 1, leaseMs: 60_000 });
    expect(c2?.delivery).toMatchObject({ id, attempts: 2 });
    await deliveries.markSucceeded(id, c2?.delivery.claimToken as string, { statusCode: 204 });
    expect(await deliveries.findForInstance(instanceId, id)).toMatchObject({
      status: 'succeeded',
      lastStatusCode: 204,
      lastError: null,
      nextAttemptAt: null,
      deliveredAt: expect.any(Date),
    });
  });

  it('keeps an attempt log of the last ATTEMPT_LOG_SIZE attempts, oldest first, dropping the oldest', async () => {
    const { instanceId, ids } = await pending(1);
    const id = ids[0] as string;
    const total = ATTEMPT_LOG_SIZE + 2;
    for (let n = 1; n < total; n++) {
      const [c] = await deliveries.claimDue({ limit: 1, leaseMs: 60_000 });
      await deliveries.markRetry(id, c?.delivery.claimToken as string, { delayMs: 0, statusCode: 500, error: `HTTP 500 #${n}`, durationMs: n, responseBody: `body ${n}` });
    }
    const [last] = await deliveries.claimDue({ limit: 1, leaseMs: 60_000 });
    await deliveries.markSucceeded(id, last?.delivery.claimToken as string, { statusCode: 204 });
    const log = await deliveries.attemptLog(instanceId, id);
    expect(log).toHaveLength(ATTEMPT_LOG_SIZE);
    expect(log?.[0]).toMatchObject({ statusCode: 500, error: 'HTTP 500 #3', durationMs: 3, responseBody: 'body 3' });
    expect(log?.at(-1)).toMatchObject({ statusCode: 204, error: null, responseBody: null });
    expect(await deliveries.attemptLog('inst_000000000000', id)).toBeNull();
  });

  it('failed is final (dead letter) until redelivered', async () => {
    const { instanceId, ids } = await pending(1);
    const id = ids[0] as string;
    const [c] = await deliveries.claimDue({ limit: 1, leaseMs: 60_000 });
    expect(await deliveries.markFailed(id, c?.delivery.claimToken as string, { statusCode: 404, error: 'HTTP 404' })).toBe(true);
    expect(await deliveries.claimDue({ limit: 10, leaseMs: 60_000 })).toEqual([]);
    expect(await deliveries.findForInstance(instanceId, id)).toMatchObject({ status: 'failed', lastStatusCode: 404 });
  });
});

describe('redeliver', () => {
  it('resets a failed delivery to pending with a fresh attempt budget; the event keeps its id', async () => {
    const { instanceId, ids } = await pending(1);
    const id = ids[0] as string;
    const [c] = await deliveries.claimDue({ limit: 1, leaseMs: 60_000 });
    await deliveries.markFailed(id, c?.delivery.claimToken as string, { statusCode: 410 });
    const reset = await deliveries.resetForRedelivery(instanceId, id);
    expect(reset).toMatchObject({ kind: 'reset', delivery: { status: 'pending', attempts: 0, deliveredAt: null } });
    const [again] = await deliveries.claimDue({ limit: 1, leaseMs: 60_000 });
    expect(again?.event.id).toBe(c?.event.id);
  });

  it('refuses while a worker holds it, and another instance cannot touch it', async () => {
    const { instanceId, ids } = await pending(1);
    const other = await makeInstance(db.dataSource);
    const id = ids[0] as string;
    await deliveries.claimDue({ limit: 1, leaseMs: 60_000 });
    expect(await deliveries.resetForRedelivery(instanceId, id)).toMatchObject({ kind: 'in_flight' });
    expect(await deliveries.resetForRedelivery(other.id, id)).toEqual({ kind: 'not_found' });
    expect(await deliveries.resetForRedelivery(instanceId, 'whd_missing')).toEqual({ kind: 'not_found' });
  });
});

describe('the delivery log', () => {
  it('lists an instance\'s deliveries newest first, filtered by status and event, paginated', async () => {
    const instance = await makeInstance(db.dataSource, { webhookUrl: 'https://hooks.example.com/log' });
    const other = await makeInstance(db.dataSource, { webhookUrl: 'https://hooks.example.com/log' });
    const made: string[] = [];
    for (const event of ['connection.update', 'messages.upsert', 'messages.upsert', 'messages.update', 'messages.upsert']) {
      made.push(...(await events.append({ instanceId: instance.id, event, data: {} })).deliveries.map((d) => d.id));
    }
    await events.append({ instanceId: other.id, event: 'messages.upsert', data: {} });
    const all = await deliveries.listByInstance(instance.id, {}, { page: 1, pageSize: 10 });
    expect(all.total).toBe(5);
    expect(all.items.map((d) => d.id)).toEqual([...made].reverse());
    const upserts = await deliveries.listByInstance(instance.id, { event: 'messages.upsert' }, { page: 2, pageSize: 2 });
    expect(upserts).toMatchObject({ total: 3, page: 2, pageSize: 2 });
    expect(upserts.items.map((d) => d.id)).toEqual([made[1]]);
    expect((await deliveries.listByInstance(instance.id, { status: 'failed' })).total).toBe(0);
    expect((await deliveries.listByInstance(instance.id, { status: 'pending' })).total).toBe(5);
    expect(await deliveries.countByStatus(instance.id)).toEqual({ pending: 5, delivering: 0, succeeded: 0, failed: 0 });
  });

  it('pruning drops old fully delivered events and keeps dead letters and pending ones', async () => {
    const { instanceId, ids } = await pending(3);
    const [a, b] = await deliveries.claimDue({ limit: 2, leaseMs: 60_000 });
    await deliveries.markSucceeded(a?.delivery.id as string, a?.delivery.claimToken as string, { statusCode: 200 });
    await deliveries.markFailed(b?.delivery.id as string, b?.delivery.claimToken as string, { statusCode: 400 });
    await events.append({ instanceId: (await makeInstance(db.dataSource)).id, event: 'connection.update', data: {} });
    const removed = await events.prune(new Date(Date.now() + 60_000));
    expect(removed).toBeGreaterThanOrEqual(2);
    const left = await deliveries.listByInstance(instanceId);
    expect(left.items.map((d) => d.id).sort()).toEqual(ids.filter((id) => id !== a?.delivery.id).sort());
  });
});

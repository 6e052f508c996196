import pino from 'pino';
import type { WebhookDeliveryEntity } from '../../../src/persistence/entities/webhook-delivery.entity.js';
import type { WebhookEventEntity } from '../../../src/persistence/entities/webhook-event.entity.js';
import type { ClaimedDelivery, WebhookDeliveryRepository } from '../../../src/persistence/repositories/webhook-delivery-repository.js';
import { createRetryPolicy } from '../../../src/services/webhooks/retry-policy.js';
import { WebhookDeliveryRunner } from '../../../src/services/webhooks/webhook-delivery-runner.js';

const logger = pino({ level: 'silent' });

function claimed(id: string, url: string): ClaimedDelivery {
  return {
    delivery: { id, instanceId: 'inst_a', url, attempts: 1, claimToken: `tok-${id}` } as WebhookDeliveryEntity,
    event: { id: `evt_${id}`, instanceId: 'inst_a', instanceName: 'A', event: 'messages.upsert', sequence: 1, payload: {}, createdAt: new Date() } as WebhookEventEntity,
  };
}

/** A delivery repository in memory: hands out `queue` in claimDue, records outcomes. */
function fakeRepository(queue: ClaimedDelivery[], options: { failClaims?: boolean } = {}) {
  const calls = { claims: [] as Array<{ limit: number; skipHosts: readonly string[] }>, failed: [] as string[], retried: [] as string[] };
  const repo = {
    async claimDue(o: { limit: number; leaseMs: number; skipHosts?: readonly string[] }) {
      calls.claims.push({ limit: o.limit, skipHosts: o.skipHosts ?? [] });
      if (options.failClaims) throw new Error('database down');
      return queue.splice(0, o.limit);
    },
    async markFailed(id: string) {
      calls.failed.push(id);
      return true;
    },
    async markRetry(id: string) {
      calls.retried.push(id);
      return true;
    },
    async markSucceeded() {
      return true;
    },
    async markManySucceeded(items: Array<{ id: string }>) {
      return new Set(items.map((i) => i.id));
    },
  };
  return { repo: repo as unknown as WebhookDeliveryRepository, calls };
}

const runnerWith = (repo: WebhookDeliveryRepository, extra: Partial<ConstructorParameters<typeof WebhookDeliveryRunner>[0]> = {}) =>
  new WebhookDeliveryRunner({
    deliveries: repo,
    secrets: async (ids) => new Map(ids.map((id) => [id, 'whsec_test'])),
    policy: createRetryPolicy({ maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10 }),
    logger,
    timeoutMs: 1000,
    concurrency: 4,
    pollIntervalMs: 100,
    allowPrivate: false,
    ...extra,
  });

describe('WebhookDeliveryRunner (no network: private targets are refused before connecting)', () => {
  it('works through everything due, never more than `concurrency` per claim, and fails refused URLs at once', async () => {
    const queue = Array.from({ length: 10 }, (_, i) => claimed(`d${i}`, `http://10.0.0.${i + 1}/hook`));
    const { repo, calls } = fakeRepository(queue);
    const runner = runnerWith(repo);
    await runner.start();
    const deadline = Date.now() + 5000;
    while (calls.failed.length < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await runner.close();
    expect(queue).toEqual([]);
    expect(calls.failed.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `d${i}`).sort());
    expect(Math.max(...calls.claims.map((c) => c.limit))).toBeLessThanOrEqual(4);
  });

  it('does not spin when claiming fails, however often it is woken', async () => {
    const { repo, calls } = fakeRepository([], { failClaims: true });
    const runner = runnerWith(repo);
    await runner.start();
    const waker = setInterval(() => runner.wake(), 5);
    await new Promise((r) => setTimeout(r, 450));
    clearInterval(waker);
    await runner.close();
    expect(calls.claims.length).toBeGreaterThanOrEqual(2);
    expect(calls.claims.length).toBeLessThanOrEqual(7);
  });

  it('wakes at once on a notification instead of waiting for the poll', async () => {
    const queue: ClaimedDelivery[] = [];
    const { repo, calls } = fakeRepository(queue);
    let wake: () => void = () => {};
    const runner = runnerWith(repo, {
      pollIntervalMs: 60_000,
      subscribe: async (w) => {
        wake = w;
        return () => {};
      },
    });
    await runner.start();
    await new Promise((r) => setTimeout(r, 50));
    queue.push(claimed('late', 'http://192.168.1.1/hook'));
    wake();
    const deadline = Date.now() + 2000;
    while (calls.failed.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await runner.close();
    expect(calls.failed).toEqual(['late']);
  });

  it('close() is safe to call twice', async () => {
    const { repo } = fakeRepository([]);
    const runner = runnerWith(repo);
    await runner.start();
    await Promise.all([runner.close(), runner.close()]);
    await runner.close();
    await expect(runner.start()).rejects.toThrow(/closed/);
  });
});

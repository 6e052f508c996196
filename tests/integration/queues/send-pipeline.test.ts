import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { randomBytes } from 'node:crypto';
import { InvalidJobPayloadError, type SendJobPayload } from '../../../src/queues/job-payloads.js';
import { createQueueConnection } from '../../../src/queues/queue-connection.js';
import { QueueNaming } from '../../../src/queues/queue-naming.js';
import { NotConnectedError } from '../../../src/engine/engine-errors.js';
import { PermanentSendError } from '../../../src/queues/send-errors.js';
import type { MessageSender, SendFailure, SendStatusSink } from '../../../src/queues/send-ports.js';
import { SendQueue } from '../../../src/queues/send-queue.js';
import type { SendSettingsInput } from '../../../src/queues/send-settings.js';
import { SendWorkerPool } from '../../../src/queues/send-worker-pool.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = pino({ level: 'silent' });

/** Our MessageSender port, scripted per test: connection state per instance, optional per-message behaviour. */
class FakeSender implements MessageSender {
  readonly sent: { instanceId: string; messageId: string; text: string; at: number }[] = [];
  readonly attempts = new Map<string, number>();
  readonly connected = new Set<string>();
  inFlight = 0;
  maxInFlight = 0;
  readonly inFlightByInstance = new Map<string, number>();
  maxInFlightPerInstance = 0;
  delayMs = 0;
  /** Throw this for a message's n-th attempt (1-based); return undefined to send. */
  script: (job: SendJobPayload, attempt: number) => Error | undefined = () => undefined;

  async send(job: SendJobPayload): Promise<{ waMessageId: string }> {
    const attempt = (this.attempts.get(job.messageId) ?? 0) + 1;
    this.attempts.set(job.messageId, attempt);
    if (!this.connected.has(job.instanceId)) throw new NotConnectedError(job.instanceId);
    const scripted = this.script(job, attempt);
    if (scripted) throw scripted;
    this.inFlight += 1;
    const mine = (this.inFlightByInstance.get(job.instanceId) ?? 0) + 1;
    this.inFlightByInstance.set(job.instanceId, mine);
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.maxInFlightPerInstance = Math.max(this.maxInFlightPerInstance, mine);
    try {
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
      this.sent.push({ instanceId: job.instanceId, messageId: job.messageId, text: job.content.type === 'text' ? job.content.text : '', at: Date.now() });
      return { waMessageId: job.waMessageId };
    } finally {
      this.inFlight -= 1;
      this.inFlightByInstance.set(job.instanceId, mine - 1);
    }
  }

  sentTo(instanceId: string): string[] {
    return this.sent.filter((s) => s.instanceId === instanceId).map((s) => s.messageId);
  }
}

/** Our SendStatusSink port: records what the pipeline reports. */
class RecordingSink implements SendStatusSink {
  readonly sent: { messageId: string; waMessageId: string }[] = [];
  readonly failed: { instanceId: string; messageId: string; failure: SendFailure }[] = [];

  async onSent(job: SendJobPayload, result: { waMessageId: string }): Promise<void> {
    this.sent.push({ messageId: job.messageId, waMessageId: result.waMessageId });
  }

  async onFailed(ref: { instanceId: string; messageId: string }, failure: SendFailure): Promise<void> {
    this.failed.push({ ...ref, failure });
  }

  failureOf(messageId: string): SendFailure | undefined {
    return this.failed.find((f) => f.messageId === messageId)?.failure;
  }
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const uid = () => randomBytes(6).toString('hex');
const newInstanceId = () => `inst_${uid()}`;

function message(instanceId: string, n: number, messageId = `msg_${uid()}_${n}`): SendJobPayload {
  return {
    instanceId,
    messageId,
    waMessageId: `3EB0${randomBytes(8).toString('hex').toUpperCase()}`,
    to: '5511999999999@s.whatsapp.net',
    content: { type: 'text', text: `message ${n}` },
  };
}

describe('send pipeline (BullMQ on real Redis)', () => {
  const prefix = `test-send-${process.pid}-${uid()}`;
  // Fresh lanes per test: the lanes are shared by every instance, so a test's leftovers would share them too.
  let naming = new QueueNaming(prefix);
  let connection: Redis;
  let sender: FakeSender;
  let sink: RecordingSink;
  let queue: SendQueue;
  let pool: SendWorkerPool;

  const pipeline = (settings: SendSettingsInput = {}): void => {
    naming = new QueueNaming(`${prefix}:${uid()}`);
    queue = new SendQueue({
      connection,
      naming,
      sink,
      logger,
      settings: { rateLimit: null, notConnectedRecheckMs: 50, backoffBaseMs: 20, backoffMaxMs: 100, ...settings },
    });
    pool = new SendWorkerPool({ connection, naming, queue, sender, sink, logger });
  };

  beforeAll(() => {
    connection = createQueueConnection(REDIS_URL);
  });

  beforeEach(() => {
    sender = new FakeSender();
    sink = new RecordingSink();
  });

  afterEach(async () => {
    await pool?.close();
    await queue?.close();
  });

  afterAll(async () => {
    let cursor = '0';
    do {
      const [next, keys] = await connection.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await connection.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await connection.quit();
  });

  it('keeps the order of a burst of 100 messages arriving while the worker runs', async () => {
    pipeline();
    const instanceId = newInstanceId();
    sender.connected.add(instanceId);
    await pool.start(instanceId);
    const messages = Array.from({ length: 100 }, (_, i) => message(instanceId, i));
    for (const m of messages) await queue.enqueueSend(m);
    await waitFor(() => sink.sent.length === 100, 30_000, '100 sends');
    expect(sender.sentTo(instanceId)).toEqual(messages.map((m) => m.messageId));
    expect(sender.maxInFlightPerInstance).toBe(1);
  });

  /** `count` messages of a new connected instance queued, then the worker started, then all sent. */
  async function queuedThenStarted(count: number) {
    const instanceId = newInstanceId();
    sender.connected.add(instanceId);
    const messages = Array.from({ length: count }, (_, i) => message(instanceId, i));
    for (const m of messages) await queue.enqueueSend(m);
    await pool.start(instanceId);
    await waitFor(() => sink.sent.length === count, 30_000, `${count} sends`);
    return { instanceId, messages };
  }

  it('keeps the order of 100 messages queued before the worker starts', async () => {
    pipeline();
    const { instanceId, messages } = await queuedThenStarted(100);
    expect(sender.sentTo(instanceId)).toEqual(messages.map((m) => m.messageId));
    expect(sink.sent.map((s) => s.messageId)).toEqual(messages.map((m) => m.messageId));
    expect(sink.sent[0]?.waMessageId).toBe(messages[0]?.waMessageId);
  });

  it('takes each job of a long queue from the lane once (no round trips through the delayed set)', async () => {
    pipeline();
    sender.delayMs = 5; // sends slower than fetches: the lane runs ahead of the instance's turn
    const { instanceId, messages } = await queuedThenStarted(200);
    expect(sender.sentTo(instanceId)).toEqual(messages.map((m) => m.messageId));
    const lane = queue.queueFor(instanceId);
    const started = await Promise.all(messages.map(async (m) => (await lane.getJob(m.messageId))?.attemptsStarted));
    expect(started.filter((n) => n !== 1)).toEqual([]);
  });

  it("does not let one instance's long queue hold back another instance of the same lane", async () => {
    pipeline({ lanes: 1, laneConcurrency: 16 });
    sender.delayMs = 20;
    const busy = newInstanceId();
    const other = newInstanceId();
    sender.connected.add(busy).add(other);
    const many = Array.from({ length: 100 }, (_, i) => message(busy, i));
    for (const m of many) await queue.enqueueSend(m);
    const late = message(other, 0);
    await queue.enqueueSend(late);
    await Promise.all([pool.start(busy), pool.start(other)]);
    await waitFor(() => sender.sentTo(other).length === 1, 20_000, 'the other instance sends');
    expect(sender.sentTo(busy).length).toBeLessThan(50);
    await waitFor(() => sink.sent.length === 101, 30_000, '101 sends');
    expect(sender.sentTo(busy)).toEqual(many.map((m) => m.messageId));
  });

  it('runs two instances in parallel, each one at a time', async () => {
    pipeline();
    sender.delayMs = 40;
    const a = newInstanceId();
    const b = newInstanceId();
    sender.connected.add(a).add(b);
    for (let i = 0; i < 10; i += 1) {
      await queue.enqueueSend(message(a, i));
      await queue.enqueueSend(message(b, i));
    }
    await Promise.all([pool.start(a), pool.start(b)]);
    await waitFor(() => sink.sent.length === 20, 20_000, '20 sends');
    expect(sender.maxInFlight).toBe(2);
    expect(sender.maxInFlightPerInstance).toBe(1);
    expect(pool.running().sort()).toEqual([a, b].sort());
  });

  it("sends an instance's next message while the one before it is still being recorded, in send order", async () => {
    pipeline();
    const instanceId = newInstanceId();
    sender.connected.add(instanceId);
    const messages = Array.from({ length: 3 }, (_, i) => message(instanceId, i));
    const first = messages[0]!.messageId;
    let release!: () => void;
    const recordingHeld = new Promise<void>((resolve) => (release = resolve));
    const record = sink.onSent.bind(sink);
    sink.onSent = async (job, result) => {
      await record(job, result);
      if (job.messageId === first) await recordingHeld; // Postgres slow to commit the first `sent`
    };
    for (const m of messages) await queue.enqueueSend(m);
    await pool.start(instanceId);
    const lane = queue.queueFor(instanceId);
    try {
      await waitFor(() => sender.sent.length === 3, 5_000, 'the next sends while the first is being recorded');
      expect(sender.sentTo(instanceId)).toEqual(messages.map((m) => m.messageId));
      expect(sink.sent.map((s) => s.messageId)).toEqual(messages.map((m) => m.messageId));
      expect((await lane.getJob(first))?.finishedOn).toBeUndefined(); // its job completes only once it is recorded
    } finally {
      release(); // also when the test failed: the pool's close waits for the job
    }
    await waitFor(async () => Boolean((await lane.getJob(first))?.finishedOn), 15_000, 'the first job completes');
  });

  it('paces one instance by its rate limit', async () => {
    pipeline({ rateLimit: { max: 1, durationMs: 250 } });
    const instanceId = newInstanceId();
    sender.connected.add(instanceId);
    for (let i = 0; i < 5; i += 1) await queue.enqueueSend(message(instanceId, i));
    await pool.start(instanceId);
    await waitFor(() => sink.sent.length === 5, 20_000, '5 paced sends');
    const times = sender.sent.map((s) => s.at);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(150);
  });

  it('holds jobs while the instance is not connected, then sends them in order once it is', async () => {
    pipeline({ notConnectedMaxWaitMs: 60_000 });
    const instanceId = newInstanceId();
    const messages = [0, 1, 2].map((i) => message(instanceId, i));
    for (const m of messages) await queue.enqueueSend(m);
    await pool.start(instanceId);
    await waitFor(() => (sender.attempts.get(messages[0]!.messageId) ?? 0) >= 3, 5000, 'rechecks');
    expect(sink.sent).toHaveLength(0);
    expect(sink.failed).toHaveLength(0);
    // Only the head of the queue is tried while waiting: the others keep their place.
    expect(sender.attempts.get(messages[1]!.messageId)).toBeUndefined();
    sender.connected.add(instanceId);
    await waitFor(() => sink.sent.length === 3, 5000, 'sends after connect');
    expect(sender.sentTo(instanceId)).toEqual(messages.map((m) => m.messageId));
  });

  it('fails with instance_not_connected after the maximum wait', async () => {
    pipeline({ notConnectedMaxWaitMs: 300 });
    const instanceId = newInstanceId();
    const m = message(instanceId, 0);
    const started = Date.now();
    await queue.enqueueSend(m);
    await pool.start(instanceId);
    await waitFor(() => sink.failed.length === 1, 5000, 'failure');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(sink.failureOf(m.messageId)?.reason).toBe('instance_not_connected');
    const job = await queue.queueFor(instanceId).getJob(m.messageId);
    expect(await job?.getState()).toBe('failed');
    expect(job?.failedReason).toBe('instance_not_connected');
    expect(sink.sent).toHaveLength(0);
  });

  it('fails a permanent error at once with its reason, and goes on with the next message', async () => {
    pipeline();
    const instanceId = newInstanceId();
    sender.connected.add(instanceId);
    const bad = message(instanceId, 0);
    const good = message(instanceId, 1);
    sender.script = (job) => (job.messageId === bad.messageId ? new PermanentSendError('number_not_on_whatsapp', '5511999999999 is not on WhatsApp') : undefined);
    await queue.enqueueSend(bad);
    await queue.enqueueSend(good);
    await pool.start(instanceId);
    await waitFor(() => sink.sent.length === 1 && sink.failed.length === 1, 5000, 'one sent, one failed');
    expect(sink.failureOf(bad.messageId)).toEqual({ reason: 'number_not_on_whatsapp', message: '5511999999999 is not on WhatsApp' });
    expect(sender.attempts.get(bad.messageId)).toBe(1);
    const job = await queue.queueFor(instanceId).getJob(bad.messageId);
    expect(job?.failedReason).toBe('number_not_on_whatsapp');
    expect(job?.attemptsMade).toBe(1);
  });

  it('retries a transient error with backoff, in place, then succeeds', async () => {
    pipeline();
    const instanceId = newInstanceId();
    sender.connected.add(instanceId);
    const flaky = message(instanceId, 0);
    const next = message(instanceId, 1);
    sender.script = (job, attempt) => (job.messageId === flaky.messageId && attempt <= 2 ? new Error('socket hiccup') : undefined);
    await queue.enqueueSend(flaky);
    await queue.enqueueSend(next);
    await pool.start(instanceId);
    await waitFor(() => sink.sent.length === 2, 5000, 'both sent');
    expect(sender.attempts.get(flaky.messageId)).toBe(3);
    expect(sender.sentTo(instanceId)).toEqual([flaky.messageId, next.messageId]);
    expect(sink.failed).toHaveLength(0);
  });

  it('fails with send_failed once transient attempts are used up', async () => {
    pipeline({ maxAttempts: 3 });
    const instanceId = newInstanceId();
    sender.connected.add(instanceId);
    const m = message(instanceId, 0);
    sender.script = () => new Error('still broken');
    await queue.enqueueSend(m);
    await pool.start(instanceId);
    await waitFor(() => sink.failed.length === 1, 5000, 'failure');
    expect(sink.failureOf(m.messageId)).toEqual({ reason: 'send_failed', message: 'still broken' });
    expect(sender.attempts.get(m.messageId)).toBe(3);
  });

  it('fails every pending message of an instance on failPending', async () => {
    pipeline();
    const instanceId = newInstanceId();
    const other = newInstanceId();
    const messages = [0, 1, 2, 3, 4].map((i) => message(instanceId, i));
    for (const m of messages) await queue.enqueueSend(m);
    await queue.enqueueSend(message(other, 0));
    expect(await queue.failPending(instanceId, 'instance_deleted')).toBe(5);
    expect(sink.failed.map((f) => f.messageId).sort()).toEqual(messages.map((m) => m.messageId).sort());
    expect(sink.failed.every((f) => f.failure.reason === 'instance_deleted' && f.instanceId === instanceId)).toBe(true);
    expect((await queue.counts(instanceId)).wait).toBe(0);
    expect((await queue.counts(other)).wait).toBe(1);
    sender.connected.add(instanceId);
    await pool.start(instanceId);
    await sleep(200);
    expect(sender.sent).toHaveLength(0);
  });

  it('ignores a duplicate enqueue of the same message', async () => {
    pipeline();
    const instanceId = newInstanceId();
    sender.connected.add(instanceId);
    const m = message(instanceId, 0);
    const first = await queue.enqueueSend(m);
    const second = await queue.enqueueSend({ ...m, content: { type: 'text', text: 'changed' } });
    expect(second.jobId).toBe(first.jobId);
    await pool.start(instanceId);
    await waitFor(() => sink.sent.length === 1, 5000, 'send');
    await queue.enqueueSend(m);
    await sleep(200);
    expect(sender.sent).toHaveLength(1);
    expect(sender.sent[0]?.text).toBe('message 0');
  });

  it('rejects a bad payload at enqueue, and fails a bad job in the queue without retrying it', async () => {
    pipeline();
    const instanceId = newInstanceId();
    sender.connected.add(instanceId);
    await expect(queue.enqueueSend({ ...message(instanceId, 0), to: 'not a jid' })).rejects.toBeInstanceOf(InvalidJobPayloadError);
    await expect(queue.enqueueSend({ ...message(instanceId, 0), messageId: 'a:b' })).rejects.toBeInstanceOf(InvalidJobPayloadError);
    const raw = new Queue(naming.sendQueueOf(instanceId, queue.settings.lanes), { connection, prefix: naming.bullPrefix });
    await raw.add('send-message', { instanceId, messageId: 'msg_raw', content: 'hello' }, { jobId: 'msg_raw', attempts: 5 });
    await raw.close();
    await pool.start(instanceId);
    await waitFor(() => sink.failed.length === 1, 5000, 'failure');
    expect(sink.failed[0]).toMatchObject({ instanceId, messageId: 'msg_raw', failure: { reason: 'invalid_payload' } });
    expect(sink.failed[0]?.failure.message).toMatch(/waMessageId/);
    const job = await queue.queueFor(instanceId).getJob('msg_raw');
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsMade).toBe(1);
    expect(sender.attempts.size).toBe(0);
  });

  it('pauses and resumes one instance without touching another', async () => {
    pipeline();
    const a = newInstanceId();
    const b = newInstanceId();
    sender.connected.add(a).add(b);
    await queue.pause(a);
    expect(await queue.isPaused(a)).toBe(true);
    await queue.enqueueSend(message(a, 0));
    await queue.enqueueSend(message(b, 0));
    await Promise.all([pool.start(a), pool.start(b)]);
    await waitFor(() => sender.sentTo(b).length === 1, 5000, 'b sends');
    await sleep(200);
    expect(sender.sentTo(a)).toHaveLength(0);
    await queue.resume(a);
    await waitFor(() => sender.sentTo(a).length === 1, 5000, 'a sends after resume');
  });

  it('starts and stops workers per instance; stop leaves jobs for the next owner; close is idempotent', async () => {
    pipeline();
    const instanceId = newInstanceId();
    sender.connected.add(instanceId);
    await pool.start(instanceId);
    await pool.start(instanceId);
    expect(pool.isRunning(instanceId)).toBe(true);
    await pool.stop(instanceId);
    expect(pool.isRunning(instanceId)).toBe(false);
    await queue.enqueueSend(message(instanceId, 0));
    await sleep(200);
    expect(sender.sent).toHaveLength(0);
    await pool.start(instanceId);
    await waitFor(() => sender.sent.length === 1, 5000, 'send after restart');
    await pool.close();
    await pool.close();
    await queue.close();
    await queue.close();
    await expect(pool.start(instanceId)).rejects.toThrow(/closed/);
  });

  it('after a worker dies mid-send, the next owner sends the job again with the same waMessageId', async () => {
    pipeline();
    const instanceId = newInstanceId();
    sender.connected.add(instanceId);
    const m = message(instanceId, 0);
    const seen: string[] = [];
    const hanging: MessageSender = {
      send: async (job) => {
        seen.push(job.waMessageId);
        return new Promise<never>(() => undefined); // the process "dies" during the send
      },
    };
    const dying = new SendWorkerPool({ connection, naming, queue, sender: hanging, sink, logger, lockDurationMs: 500, stalledIntervalMs: 300 });
    await queue.enqueueSend(m);
    await dying.start(instanceId);
    await waitFor(() => seen.length === 1, 5000, 'first attempt');
    await dying.close({ force: true });
    pool = new SendWorkerPool({ connection, naming, queue, sender, sink, logger, lockDurationMs: 500, stalledIntervalMs: 300 });
    await pool.start(instanceId);
    await waitFor(() => sink.sent.length === 1, 10_000, 'send by the next owner');
    expect(sink.sent[0]).toEqual({ messageId: m.messageId, waMessageId: m.waMessageId });
    expect(seen).toEqual([m.waMessageId]);
    expect(sender.sent).toHaveLength(1);
  });
});

import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { unreachableDependency } from '../errors/dependency-errors.js';
import type { Logger } from 'pino';
import { InstanceGate } from './instance-gate.js';
import { parseJobData, type SendJobData, type SendJobPayload } from './job-payloads.js';
import { isNotConnectedError, PermanentSendError } from './send-errors.js';
import type { MessageSender, SendFailure, SendStatusSink } from './send-ports.js';
import { sendBackoffMs, type SendSettings } from './send-settings.js';

export interface SendProcessorDeps {
  sender: MessageSender;
  sink: SendStatusSink;
  settings: SendSettings;
  logger: Logger;
  /** Whether this node sends for the instance now (it owns it and its sends are not paused). */
  serves(instanceId: string): boolean;
  now?: () => number;
  random?: () => number;
  /** How long a job for an instance this node does not serve waits before it is looked at again. */
  foreignParkMs?: number;
  /**
   * Longest in-process wait for pacing, and longest time the instance's turn may stand still while a job waits in the
   * process behind it, before the job is parked in BullMQ's delayed set instead.
   */
  inlineWaitMs?: number;
  /**
   * Whether the job's lane holds so many jobs that one with many tickets ahead should be parked rather than held in
   * the process (so the lane's fetching reaches other instances' jobs). Default: never.
   */
  crowded?(queueName: string): boolean;
}

export interface SendProcessor {
  (job: Job, token?: string): Promise<{ waMessageId: string }>;
  /** The instance's jobs waiting in the process look again now (it stopped being served here: they park). */
  wake(instanceId: string): void;
  /** Every instance's waiting jobs look again now (shutdown). */
  wakeAll(): void;
}

function payloadOf(data: SendJobData): SendJobPayload {
  const { failures: _failures, ...payload } = data;
  return payload;
}

/** Tickets ahead within which a job always waits in the process for its turn (more: parked when the lane is crowded). */
const WINDOW = 8;

/**
 * The processor of the send lanes' Workers: many instances' jobs in parallel, each instance one at a time and in
 * queue order (InstanceGate), paced by `settings.rateLimit`. Waits (pacing, a retry's backoff, the instance not
 * connected, an instance another node serves) park the job in BullMQ's delayed set so it holds no Worker slot.
 * Final failures are recorded in the sink and thrown as UnrecoverableError whose message is the reason code.
 */
export function createSendProcessor(deps: SendProcessorDeps): SendProcessor {
  const now = deps.now ?? Date.now;
  const foreignParkMs = deps.foreignParkMs ?? 1000;
  const inlineWaitMs = deps.inlineWaitMs ?? 1000;
  const { settings } = deps;
  const intervalMs = settings.rateLimit ? Math.ceil(settings.rateLimit.durationMs / settings.rateLimit.max) : 0;
  const gates = new Map<string, InstanceGate>();
  const gateOf = (instanceId: string): InstanceGate => {
    let gate = gates.get(instanceId);
    if (!gate) {
      gate = new InstanceGate(Math.max(30_000, settings.notConnectedRecheckMs * 10), inlineWaitMs, now);
      gates.set(instanceId, gate);
    }
    return gate;
  };
  const dropIfIdle = (instanceId: string, gate: InstanceGate): void => {
    // Kept while it still paces or remembers a disconnection.
    if (gate.idle && gate.nextSendAt <= now() && gate.notConnectedSince === null && gates.get(instanceId) === gate) gates.delete(instanceId);
  };

  const fail = async (job: Job, instanceId: string, failure: SendFailure): Promise<never> => {
    deps.logger.warn({ instanceId, jobId: job.id, reason: failure.reason, error: failure.message }, 'message failed');
    await deps.sink.onFailed({ instanceId, messageId: String(job.id) }, failure);
    throw new UnrecoverableError(failure.reason);
  };

  const park = async (job: Job, token: string | undefined, ms: number): Promise<never> => {
    await job.moveToDelayed(now() + Math.max(1, Math.ceil(ms)), token);
    throw new DelayedError();
  };

  const run = async (job: Job, token?: string): Promise<{ waMessageId: string }> => {
    let data: SendJobData;
    try {
      data = parseJobData('send-message', job.data);
      if (data.messageId !== job.id) throw new Error(`messageId ${data.messageId} differs from job id ${job.id}`);
    } catch (err) {
      const raw = (job.data as { instanceId?: unknown } | null)?.instanceId;
      return fail(job, typeof raw === 'string' ? raw : 'unknown', { reason: 'invalid_payload', message: (err as Error).message });
    }
    const { instanceId } = data;
    const jobId = data.messageId;

    if (!deps.serves(instanceId)) {
      // Another node owns the instance (or nobody does yet): leave the job to it; fail it like a disconnected
      // instance if nobody took it for the whole wait.
      if (now() - job.timestamp >= settings.notConnectedMaxWaitMs) {
        return fail(job, instanceId, { reason: 'instance_not_connected', message: `no node sends for ${instanceId}` });
      }
      return park(job, token, foreignParkMs);
    }

    const gate = gateOf(instanceId);
    const ticket = gate.ticketOf(jobId);
    let parked = false;
    /** The turn was handed on (sent): the finally must not finish the ticket again. */
    let finished = false;
    try {
      // 1. Wait for the turn in the process while the instance makes progress (the job was fetched once and stays
      // fetched: no round trip through the delayed set); parked with an estimate of when its turn comes when the
      // turn stands still, the instance is no longer served here, or the lane is crowded and many are ahead.
      for (;;) {
        const at = now();
        const ahead = gate.ahead(ticket, at);
        if (ahead === 0) break;
        if (gate.stalledFor(at) >= inlineWaitMs || !deps.serves(instanceId) || (ahead >= WINDOW && (deps.crowded?.(job.queueName) ?? false))) {
          parked = true;
          const estimate = Math.max(intervalMs, 20) * ahead;
          gate.park(ticket, at + estimate);
          return await park(job, token, Math.min(estimate, foreignParkMs));
        }
        await gate.waitTurn(ticket);
      }
      // 2. Pacing.
      const paceWait = gate.nextSendAt - now();
      if (paceWait > inlineWaitMs) {
        parked = true;
        gate.park(ticket, now() + paceWait);
        return await park(job, token, paceWait);
      }
      if (paceWait > 0) await new Promise((r) => setTimeout(r, paceWait));
      // 3. Send.
      const payload = payloadOf(data);
      const log = deps.logger.child({ instanceId, messageId: jobId, jobId });
      let result: { waMessageId: string };
      try {
        // Never started before: no stall (a crashed worker's job taken again), no retry.
        const first = job.attemptsMade === 0 && (job.stalledCounter ?? 0) === 0 && data.failures === 0;
        gate.nextSendAt = now() + intervalMs;
        result = await deps.sender.send(payload, { first });
        gate.notConnectedSince = null;
      } catch (err) {
        if (isNotConnectedError(err)) {
          const at = now();
          gate.notConnectedSince ??= at;
          const deadline = Math.max(job.timestamp, gate.notConnectedSince) + settings.notConnectedMaxWaitMs;
          if (at >= deadline) return await fail(job, instanceId, { reason: 'instance_not_connected', message: (err as Error).message });
          log.debug({ waitMs: deadline - at }, 'instance not connected; job waits');
          const wait = Math.min(settings.notConnectedRecheckMs, deadline - at);
          parked = true;
          gate.park(ticket, at + wait);
          return await park(job, token, wait);
        }
        if (err instanceof PermanentSendError) return await fail(job, instanceId, { reason: err.reason, message: err.message });
        const failures = data.failures + 1;
        const message = err instanceof Error ? err.message : String(err);
        if (failures >= settings.maxAttempts) return await fail(job, instanceId, { reason: 'send_failed', message });
        const delayMs = sendBackoffMs(failures, settings, deps.random);
        log.warn({ failures, delayMs, error: message }, 'send failed; retrying');
        await job.updateData({ ...data, failures });
        parked = true;
        gate.park(ticket, now() + delayMs);
        return await park(job, token, delayMs);
      }
      // Sent: from here on nothing may send it again. The instance's next job may send while this one is recorded
      // (the order is the order of sends; the sink records moves in submission order, and this one is submitted
      // first, in this turn). Recording it waits out a Postgres/Redis outage in place (a failure here used to be
      // taken for a failed send, and the retry delivered the message twice).
      gate.finish(jobId, ticket);
      finished = true;
      await recordWhileUnreachable(() => deps.sink.onSent(payload, result), log);
      log.debug({ waMessageId: result.waMessageId }, 'message sent');
      return result;
    } catch (err) {
      // Parking failed (the lock was lost: the job is another node's now): give up this node's ticket.
      if (parked && !(err instanceof DelayedError)) parked = false;
      throw err;
    } finally {
      if (!parked && !finished) gate.finish(jobId, ticket);
      dropIfIdle(instanceId, gate);
    }
  };
  return Object.assign(run, {
    wake: (instanceId: string) => gates.get(instanceId)?.wakeAll(),
    wakeAll: () => {
      for (const gate of [...gates.values()]) gate.wakeAll();
    },
  });
}

/** Runs `record` again (backoff up to 2 s, for up to 10 min) while it fails because Postgres or Redis is unreachable. */
async function recordWhileUnreachable(record: () => Promise<void>, log: Logger): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  for (let attempt = 1; ; attempt++) {
    try {
      await record();
      return;
    } catch (err) {
      const down = unreachableDependency(err);
      if (!down || Date.now() > deadline) throw err;
      if (attempt === 1) log.warn({ dependency: down }, 'message sent; recording it waits for the dependency');
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** Math.min(attempt, 5))));
    }
  }
}

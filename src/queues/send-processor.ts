import { unreachableDependency } from '../errors/dependency-errors.js';
import { UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import type { Logger } from 'pino';
import { InvalidJobPayloadError, parseJobData, type SendJobData, type SendJobPayload } from './job-payloads.js';
import { isNotConnectedError, PermanentSendError } from './send-errors.js';
import type { MessageSender, SendFailure, SendStatusSink } from './send-ports.js';
import { sendBackoffMs, type SendSettings } from './send-settings.js';

export interface SendProcessorDeps {
  instanceId: string;
  /** The instance's queue: used to hold the whole queue back while a job waits, so order is kept. */
  queue: Queue;
  sender: MessageSender;
  sink: SendStatusSink;
  settings: SendSettings;
  logger: Logger;
  now?: () => number;
  random?: () => number;
}

export type SendProcessor = (job: Job) => Promise<{ waMessageId: string }>;

function payloadOf(data: SendJobData): SendJobPayload {
  const { failures: _failures, ...payload } = data;
  return payload;
}

/**
 * Processes one send job. Waiting (instance not connected) and transient retries keep the job at the head of the
 * instance's queue: the queue is rate-limited for the wait and the job goes back to `wait` (BullMQ's manual rate
 * limit), so the messages after it cannot overtake it. Final failures are recorded in the sink and thrown as
 * UnrecoverableError whose message is the reason code.
 */
export function createSendProcessor(deps: SendProcessorDeps): SendProcessor {
  const now = deps.now ?? Date.now;
  /** When this worker first saw the instance disconnected (cleared by a successful send). */
  let notConnectedSince: number | null = null;

  const fail = async (job: Job, instanceId: string, failure: SendFailure): Promise<never> => {
    deps.logger.warn({ instanceId, jobId: job.id, reason: failure.reason, error: failure.message }, 'message failed');
    await deps.sink.onFailed({ instanceId, messageId: String(job.id) }, failure);
    throw new UnrecoverableError(failure.reason);
  };

  const holdBack = async (ms: number): Promise<never> => {
    await deps.queue.rateLimit(Math.max(1, ms));
    throw Worker.RateLimitError();
  };

  return async (job) => {
    let data: SendJobData;
    try {
      data = parseJobData('send-message', job.data);
      if (data.instanceId !== deps.instanceId) throw new InvalidJobPayloadError('send-message', `instanceId ${data.instanceId} in the queue of ${deps.instanceId}`);
      if (data.messageId !== job.id) throw new InvalidJobPayloadError('send-message', `messageId ${data.messageId} differs from job id ${job.id}`);
    } catch (err) {
      return fail(job, deps.instanceId, { reason: 'invalid_payload', message: (err as Error).message });
    }
    const payload = payloadOf(data);
    const log = deps.logger.child({ instanceId: data.instanceId, messageId: data.messageId, jobId: job.id });

    let result: { waMessageId: string };
    try {
      // Never started before: no stall (a crashed worker's job taken again), no retry, no wait that followed a start.
      const first = job.attemptsMade === 0 && (job.stalledCounter ?? 0) === 0 && data.failures === 0;
      result = await deps.sender.send(payload, { first });
      notConnectedSince = null;
    } catch (err) {
      if (isNotConnectedError(err)) {
        const at = now();
        notConnectedSince ??= at;
        const deadline = Math.max(job.timestamp, notConnectedSince) + deps.settings.notConnectedMaxWaitMs;
        if (at >= deadline) return fail(job, data.instanceId, { reason: 'instance_not_connected', message: (err as Error).message });
        log.debug({ waitMs: deadline - at }, 'instance not connected; job waits');
        return holdBack(Math.min(deps.settings.notConnectedRecheckMs, deadline - at));
      }
      if (err instanceof PermanentSendError) return fail(job, data.instanceId, { reason: err.reason, message: err.message });
      const failures = data.failures + 1;
      const message = err instanceof Error ? err.message : String(err);
      if (failures >= deps.settings.maxAttempts) return fail(job, data.instanceId, { reason: 'send_failed', message });
      const delayMs = sendBackoffMs(failures, deps.settings, deps.random);
      log.warn({ failures, delayMs, error: message }, 'send failed; retrying');
      await job.updateData({ ...data, failures });
      return holdBack(delayMs);
    }
    // Sent: from here on nothing may send it again. Recording it waits out a Postgres/Redis outage in place (a
    // failure here used to be taken for a failed send, and the retry delivered the message twice).
    await recordWhileUnreachable(() => deps.sink.onSent(payload, result), log);
    log.debug({ waMessageId: result.waMessageId }, 'message sent');
    return result;
  };
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

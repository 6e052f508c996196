import type { Logger } from 'pino';
import type { MessageRepository } from '../../persistence/repositories/message-repository.js';
import type { InstanceSendWorkers } from '../../queues/instance-send-workers.js';
import type { SendJobPayload } from '../../queues/job-payloads.js';
import type { SendQueue } from '../../queues/send-queue.js';

/**
 * Re-queue after a crash: a crash between the commit of an accepted message and its enqueue leaves a `queued` row
 * without a job. Enqueue those again from the payload stored on the row. The job id is the message id, so a job
 * that exists is untouched. Returns how many were enqueued again.
 */
export async function requeueAccepted(deps: {
  messages: Pick<MessageRepository, 'findQueuedBefore'>;
  queue: SendQueue;
  sendWorkers: InstanceSendWorkers;
  logger: Logger;
  /** Rows younger than this may still be on their way to the queue (default 5 s). */
  graceMs?: number;
}): Promise<number> {
  const rows = await deps.messages.findQueuedBefore(new Date(Date.now() - (deps.graceMs ?? 5000)));
  let requeued = 0;
  for (const row of rows) {
    const payload = (row.raw as { send?: SendJobPayload } | null)?.send;
    if (!payload) continue;
    try {
      const existing = await deps.queue.queueFor(row.instanceId).getJob(row.id);
      if (existing) continue;
      await deps.queue.enqueueSend(payload);
      await deps.sendWorkers.ensure(row.instanceId);
      requeued += 1;
    } catch (err) {
      deps.logger.warn({ instanceId: row.instanceId, messageId: row.id, err }, 'requeue failed');
    }
  }
  return requeued;
}

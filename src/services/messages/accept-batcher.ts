import type { Logger } from 'pino';
import { eachAlone, GroupCommit, type BatchOutcome } from '../../persistence/group-commit.js';
import type { NewOutgoingMessage } from '../../persistence/repositories/message-inputs.js';
import type { MessageRepository } from '../../persistence/repositories/message-repository.js';
import type { SendJobPayload } from '../../queues/job-payloads.js';

/** One accepted send: its row (stored `queued` if the tenant owns the instance) and its job. */
export interface AcceptItem {
  tenantId: string;
  input: NewOutgoingMessage;
  payload: SendJobPayload;
}

export interface AcceptBatcherDeps {
  messages: Pick<MessageRepository, 'acceptOutgoing' | 'acceptOutgoingMany'>;
  queue: {
    enqueueSend(payload: SendJobPayload): Promise<unknown>;
    enqueueSends(payloads: readonly SendJobPayload[]): Promise<unknown>;
  };
  logger: Logger;
  /** Most accepts in one batch (default 100). */
  maxBatch?: number;
  /** Most batches at once (default 2); their jobs are added in submission order whatever this is. */
  maxInFlight?: number;
}

/**
 * Group commit of the API's accepts (issue 14): the sends accepted in one turn of the event loop are stored with one
 * statement and enqueued with one addBulk per lane, instead of one INSERT and one add each. A send is answered only
 * once its row is committed and its job added, as before. A batch statement that fails (a taken WhatsApp id, a
 * deadlock) is retried one row at a time, so a bad row fails alone; an addBulk that fails is retried one job at a
 * time, and a job that still cannot be added fails its send while its row stays `queued` for requeueAccepted.
 *
 * Per-instance order: the jobs of one batch are added in submission order, and a batch adds its jobs only after the
 * batch before it added its own, even when the two were stored at once.
 */
export class AcceptBatcher {
  private readonly commit: GroupCommit<AcceptItem, boolean>;
  /** Settles once the latest batch added its jobs (or gave up): the next batch adds after it. */
  private enqueued: Promise<void> = Promise.resolve();

  constructor(private readonly deps: AcceptBatcherDeps) {
    this.commit = new GroupCommit({ run: (items) => this.run(items), maxBatch: deps.maxBatch, maxInFlight: deps.maxInFlight });
  }

  /**
   * Stores the send and enqueues its job. Resolves true once both are done, false when the tenant has no such
   * instance (nothing stored). Rejects with the insert's error, or with the enqueue's (the row then stays queued).
   */
  accept(item: AcceptItem): Promise<boolean> {
    return this.commit.submit(item);
  }

  /** Refuses new accepts and waits for those submitted (before the queues and the database close). Safe twice. */
  close(): Promise<void> {
    return this.commit.close();
  }

  private async run(items: readonly AcceptItem[]): Promise<Array<BatchOutcome<boolean>>> {
    // Taken before the first await: GroupCommit starts batches in submission order, so the chain follows it.
    const previous = this.enqueued;
    let done!: () => void;
    this.enqueued = new Promise<void>((resolve) => (done = resolve));
    try {
      const stored = await this.store(items);
      await previous;
      return await this.enqueue(items, stored);
    } finally {
      done();
    }
  }

  private async store(items: readonly AcceptItem[]): Promise<Array<BatchOutcome<boolean>>> {
    try {
      const inserted = await this.deps.messages.acceptOutgoingMany(items);
      return inserted.map((value) => ({ ok: true as const, value }));
    } catch (err) {
      if (items.length === 1) return [{ ok: false, error: err }];
      this.deps.logger.warn({ err, items: items.length }, 'batched accept failed; accepting one by one');
      return eachAlone(items, async (item) => (await this.deps.messages.acceptOutgoing(item.tenantId, item.input)) !== null);
    }
  }

  /** Adds the jobs of the stored items; the outcome of an item whose job could not be added becomes that error. */
  private async enqueue(items: readonly AcceptItem[], stored: Array<BatchOutcome<boolean>>): Promise<Array<BatchOutcome<boolean>>> {
    const toAdd = items.filter((_item, i) => isStored(stored[i]));
    if (toAdd.length === 0) return stored;
    try {
      await this.deps.queue.enqueueSends(toAdd.map((item) => item.payload));
      return stored;
    } catch (err) {
      this.deps.logger.warn({ err, jobs: toAdd.length }, 'adding a batch of send jobs failed; adding them one by one');
    }
    const added = await eachAlone(toAdd, (item) => this.deps.queue.enqueueSend(item.payload));
    let next = 0;
    return items.map((item, i) => {
      const outcome = stored[i]!;
      if (!isStored(outcome)) return outcome;
      const add = added[next++]!;
      if (add.ok) return outcome;
      const { instanceId, messageId } = item.payload;
      this.deps.logger.error({ instanceId, messageId, err: add.error }, 'enqueue failed; the message stays queued for recovery');
      return { ok: false, error: add.error };
    });
  }
}

function isStored(outcome: BatchOutcome<boolean> | undefined): boolean {
  return outcome?.ok === true && outcome.value;
}

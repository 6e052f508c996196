/** One item's outcome in a batch: its value, or the error that item alone failed with. */
export type BatchOutcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

export interface GroupCommitOptions<I, O> {
  /**
   * Writes one batch and returns one outcome per item, in the items' order. If it throws, every item of the batch
   * fails with that error; a caller that wants per-item isolation catches and retries the items one by one inside.
   */
  run(items: readonly I[]): Promise<ReadonlyArray<BatchOutcome<O>>>;
  /** Most items in one batch (default 100). */
  maxBatch?: number;
  /** Most batches running at once (default 2); 1 keeps the batches strictly in submission order. */
  maxInFlight?: number;
}

interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

export class GroupCommitClosedError extends Error {
  constructor() {
    super('group commit is closed');
    this.name = 'GroupCommitClosedError';
  }
}

/**
 * Group commit: what is submitted during one turn of the event loop is written as one batch (one statement, one
 * round trip) instead of one write each. The first submit schedules a flush with setImmediate, so a lone item waits
 * for no timer; while `maxInFlight` batches run, new items gather for the next. Each submit resolves only once its
 * batch is written, so a caller that awaits it keeps its durability promise.
 */
export class GroupCommit<I, O> {
  private readonly pending: Array<Pending<I, O>> = [];
  private readonly running = new Set<Promise<void>>();
  private scheduled = false;
  private closed = false;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;

  constructor(private readonly options: GroupCommitOptions<I, O>) {
    this.maxBatch = options.maxBatch ?? 100;
    this.maxInFlight = options.maxInFlight ?? 2;
  }

  submit(item: I): Promise<O> {
    if (this.closed) return Promise.reject(new GroupCommitClosedError());
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting for a batch, and batches running (for tests and metrics). */
  get depth(): { pending: number; inFlight: number } {
    return { pending: this.pending.length, inFlight: this.running.size };
  }

  /** Refuses new items, then waits until every item already submitted is written (or failed). Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.pending.length > 0 || this.running.size > 0) {
      if (this.running.size > 0) await Promise.race(this.running);
      else this.flush();
    }
  }

  private schedule(): void {
    if (this.scheduled || this.running.size >= this.maxInFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.pending.length > 0 && this.running.size < this.maxInFlight) {
      const batch = this.pending.splice(0, this.maxBatch);
      const done: Promise<void> = this.write(batch).finally(() => {
        this.running.delete(done);
        if (this.pending.length > 0) this.schedule();
      });
      this.running.add(done);
    }
  }

  private async write(batch: Array<Pending<I, O>>): Promise<void> {
    let outcomes: ReadonlyArray<BatchOutcome<O>>;
    try {
      outcomes = await this.options.run(batch.map((p) => p.item));
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => {
      const outcome = outcomes[i];
      if (!outcome) p.reject(new Error(`group commit: the batch returned no outcome for item ${i}`));
      else if (outcome.ok) p.resolve(outcome.value);
      else p.reject(outcome.error);
    });
  }
}

/**
 * Runs `one` for every item, each on its own: the fallback after a batch statement failed, so that one bad row
 * fails alone. Sequential, in order, because items of one batch may depend on each other (one message's moves).
 */
export async function eachAlone<I, O>(items: readonly I[], one: (item: I) => Promise<O>): Promise<Array<BatchOutcome<O>>> {
  const outcomes: Array<BatchOutcome<O>> = [];
  for (const item of items) {
    try {
      outcomes.push({ ok: true, value: await one(item) });
    } catch (error) {
      outcomes.push({ ok: false, error });
    }
  }
  return outcomes;
}

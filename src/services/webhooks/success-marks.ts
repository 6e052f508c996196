import type { SuccessRecord } from '../../persistence/repositories/webhook-delivery-repository.js';

/** A delivery that got a 2xx, to be recorded as succeeded. */
export type SuccessMark = SuccessRecord;

export interface SuccessMarksOptions {
  /** Records a batch; resolves with the ids that were recorded (a lapsed claim is not). */
  record: (items: SuccessMark[]) => Promise<Set<string>>;
  /** Flush at this many marks (default 50)... */
  maxItems?: number;
  /** ...or this long after the first one waiting (default 5 ms). */
  maxWaitMs?: number;
}

/**
 * Collects the successes of concurrent webhook attempts and records them in one statement per batch, so a
 * runner with many deliveries in flight does not pay a database round trip per answer. Each caller still learns
 * whether its own mark was recorded. A failed batch fails every mark in it (the deliveries are then retried once
 * their claim lapses, which is at-least-once as before).
 */
export class SuccessMarks {
  private pending: Array<{ mark: SuccessMark; resolve: (recorded: boolean) => void; reject: (err: unknown) => void }> = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: SuccessMarksOptions) {}

  record(mark: SuccessMark): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({ mark, resolve, reject });
      if (this.pending.length >= (this.options.maxItems ?? 50)) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.maxWaitMs ?? 5);
    });
  }

  /** Records what is waiting now. */
  flush(): void {
    const batch = this.take();
    if (batch.marks.length === 0) return;
    this.options.record(batch.marks).then(batch.settle, batch.fail);
  }

  /**
   * Hands the waiting marks to a caller that records them itself (the runner, in the statement of its next claim)
   * and then settles them with the ids that were recorded, or fails them.
   */
  take(): TakenMarks {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = [];
    return {
      marks: batch.map((b) => b.mark),
      settle: (recorded) => batch.forEach((b) => b.resolve(recorded.has(b.mark.id))),
      fail: (err) => batch.forEach((b) => b.reject(err)),
    };
  }
}

/** Marks taken out of SuccessMarks, to be recorded by the taker. */
export interface TakenMarks {
  marks: SuccessMark[];
  settle: (recorded: Set<string>) => void;
  fail: (err: unknown) => void;
}

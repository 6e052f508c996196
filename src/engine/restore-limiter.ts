import { sleep } from './sleep.js';

/**
 * Bounds how many sockets a node brings up at once (RESTORE_CONCURRENCY), with a random delay before each,
 * so that a node adopting many instances (start-up, a dead node's share) spreads the load.
 */
export class RestoreLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly jitterMs: number,
  ) {}

  /** Runs `fn` once a slot is free (after the jitter), holding the slot until it settles. */
  async run(fn: () => Promise<void>): Promise<void> {
    await this.acquireSlot();
    try {
      if (this.jitterMs > 0) await sleep(Math.floor(Math.random() * this.jitterMs));
      await fn();
    } finally {
      this.releaseSlot();
    }
  }

  private acquireSlot(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => resolve()));
  }

  private releaseSlot(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active -= 1;
  }
}

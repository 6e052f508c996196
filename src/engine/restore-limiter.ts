import { ConcurrencyLimit } from '../concurrency-limit.js';
import { sleep } from './sleep.js';

/**
 * Bounds how many sockets a node brings up at once (RESTORE_CONCURRENCY), with a random delay before each,
 * so that a node adopting many instances (start-up, a dead node's share) spreads the load.
 */
export class RestoreLimiter {
  private readonly slots: ConcurrencyLimit;

  constructor(
    concurrency: number,
    private readonly jitterMs: number,
  ) {
    this.slots = new ConcurrencyLimit(concurrency);
  }

  /** Runs `fn` once a slot is free, holding the slot until it settles. The jitter comes before the slot is taken, so it spreads the starts without keeping a slot idle. */
  async run(fn: () => Promise<void>): Promise<void> {
    if (this.jitterMs > 0) await sleep(Math.floor(Math.random() * this.jitterMs));
    await this.slots.run(fn);
  }
}

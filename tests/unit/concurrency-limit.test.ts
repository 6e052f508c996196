import { ConcurrencyLimit } from '../../src/concurrency-limit.js';

describe('ConcurrencyLimit', () => {
  it('runs at most `limit` calls at once, the others in arrival order, and passes results and errors through', async () => {
    const limit = new ConcurrencyLimit(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const gates: Array<() => void> = [];
    const calls = Array.from({ length: 6 }, (_, i) =>
      limit.run(async () => {
        started.push(i);
        running += 1;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running -= 1;
        if (i === 3) throw new Error('call 3 failed');
        return i * 10;
      }),
    );
    const settled = Promise.allSettled(calls);
    // Let the calls through one at a time; each release admits exactly one waiting call.
    for (let released = 0; released < 6; released++) {
      await new Promise((r) => setImmediate(r));
      expect(running).toBeLessThanOrEqual(2);
      gates.shift()?.();
    }
    const results = await settled;
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([0, 10, 20, 'call 3 failed', 40, 50]);
  });
});

import { describe, expect, it } from '@jest/globals';
import { eachAlone, GroupCommit, GroupCommitClosedError, type BatchOutcome } from '../../src/persistence/group-commit.js';

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const doubled = (items: readonly number[]): Promise<Array<BatchOutcome<number>>> =>
  Promise.resolve(items.map((n) => ({ ok: true as const, value: n * 2 })));

describe('GroupCommit', () => {
  it('writes what is submitted in one turn as one batch and answers each item with its own result', async () => {
    const batches: number[][] = [];
    const commit = new GroupCommit<number, number>({ run: (items) => (batches.push([...items]), doubled(items)) });

    const results = await Promise.all([1, 2, 3].map((n) => commit.submit(n)));

    expect(results).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('splits at maxBatch and gathers what arrives while batches run into the next one', async () => {
    const batches: number[][] = [];
    const gate = deferred();
    const commit = new GroupCommit<number, number>({
      maxBatch: 2,
      maxInFlight: 1,
      run: async (items) => {
        batches.push([...items]);
        await gate.promise;
        return doubled(items);
      },
    });

    const first = [1, 2, 3].map((n) => commit.submit(n));
    await new Promise((r) => setImmediate(r));
    const later = [4, 5].map((n) => commit.submit(n));
    expect(commit.depth).toEqual({ pending: 3, inFlight: 1 });
    gate.resolve();

    expect(await Promise.all([...first, ...later])).toEqual([2, 4, 6, 8, 10]);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('runs at most maxInFlight batches at once', async () => {
    let running = 0;
    let most = 0;
    const commit = new GroupCommit<number, number>({
      maxBatch: 1,
      maxInFlight: 2,
      run: async (items) => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 5));
        running -= 1;
        return doubled(items);
      },
    });

    await Promise.all([1, 2, 3, 4, 5].map((n) => commit.submit(n)));

    expect(most).toBe(2);
  });

  it('fails every item of a batch whose statement throws, and only those', async () => {
    const commit = new GroupCommit<number, number>({
      maxBatch: 2,
      maxInFlight: 1,
      run: (items) => (items.includes(2) ? Promise.reject(new Error('boom')) : doubled(items)),
    });

    const settled = await Promise.allSettled([1, 2, 3].map((n) => commit.submit(n)));

    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
  });

  it('rejects only the item whose outcome is an error', async () => {
    const commit = new GroupCommit<number, number>({
      run: (items) => eachAlone(items, (n) => (n === 2 ? Promise.reject(new Error('bad row')) : Promise.resolve(n))),
    });

    const settled = await Promise.allSettled([1, 2, 3].map((n) => commit.submit(n)));

    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toEqual(new Error('bad row'));
  });

  it('close() writes what was already submitted, then refuses new items; a second close() is harmless', async () => {
    const written: number[] = [];
    const commit = new GroupCommit<number, number>({
      maxBatch: 1,
      maxInFlight: 1,
      run: async (items) => {
        await new Promise((r) => setTimeout(r, 2));
        written.push(...items);
        return doubled(items);
      },
    });

    const submitted = [1, 2, 3].map((n) => commit.submit(n));
    await commit.close();
    await commit.close();

    expect(written).toEqual([1, 2, 3]);
    expect(await Promise.all(submitted)).toEqual([2, 4, 6]);
    await expect(commit.submit(4)).rejects.toBeInstanceOf(GroupCommitClosedError);
  });
});

import { SuccessMarks, type SuccessMark } from '../../../src/services/webhooks/success-marks.js';

const mark = (id: string): SuccessMark => ({ id, claimToken: `tok-${id}`, statusCode: 200 });

describe('SuccessMarks', () => {
  it('records marks that come in together in one batch and tells each caller about its own', async () => {
    const batches: string[][] = [];
    const marks = new SuccessMarks({
      record: async (items) => {
        batches.push(items.map((i) => i.id));
        return new Set(items.map((i) => i.id).filter((id) => id !== 'lapsed'));
      },
      maxWaitMs: 20,
    });
    const results = await Promise.all(['a', 'b', 'lapsed'].map((id) => marks.record(mark(id))));
    expect(results).toEqual([true, true, false]);
    expect(batches).toEqual([['a', 'b', 'lapsed']]);
  });

  it('flushes at maxItems without waiting, and fails every mark of a failed batch', async () => {
    const batches: string[][] = [];
    const marks = new SuccessMarks({
      record: async (items) => {
        batches.push(items.map((i) => i.id));
        if (items.some((i) => i.id === 'boom')) throw new Error('database down');
        return new Set(items.map((i) => i.id));
      },
      maxItems: 2,
      maxWaitMs: 60_000,
    });
    await expect(Promise.all([marks.record(mark('a')), marks.record(mark('b'))])).resolves.toEqual([true, true]);
    const failed = Promise.all([marks.record(mark('c')), marks.record(mark('boom'))]);
    await expect(failed).rejects.toThrow('database down');
    expect(batches).toEqual([['a', 'b'], ['c', 'boom']]);
  });
});

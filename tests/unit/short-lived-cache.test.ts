import { ShortLivedCache } from '../../src/services/short-lived-cache.js';

describe('ShortLivedCache', () => {
  it('reuses a loaded value until its TTL passes, and keeps at most maxEntries keys', async () => {
    let now = 0;
    let loads = 0;
    const cache = new ShortLivedCache<string, number>(1000, 2, () => now);
    const load = async () => ++loads;
    expect(await cache.get('a', load)).toBe(1);
    now = 999;
    expect(await cache.get('a', load)).toBe(1);
    now = 1000;
    expect(await cache.get('a', load)).toBe(2);
    await cache.get('b', load);
    await cache.get('c', load); // pushes out a
    expect(await cache.get('a', load)).toBe(5);
    cache.delete('a');
    expect(await cache.get('a', load)).toBe(6);
    const off = new ShortLivedCache<string, number>(0);
    await off.get('a', load);
    expect(await off.get('a', load)).toBe(8);
  });
});

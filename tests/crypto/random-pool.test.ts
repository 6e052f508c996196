import { pooledRandomBytes, pooledRandomText } from '../../src/crypto/random-pool.js';

describe('random pool', () => {
  it('hands out bytes of the asked length, never the same bytes twice, across many refills', () => {
    const seen = new Set<string>();
    // 12-byte draws: 341 fit in one 4 KiB pool, so this crosses about 30 refills.
    for (let i = 0; i < 10_000; i++) {
      const bytes = pooledRandomBytes(12);
      expect(bytes).toHaveLength(12);
      seen.add(bytes.toString('hex'));
    }
    expect(seen.size).toBe(10_000);
  });

  it('gives each caller its own copy: later draws do not change it', () => {
    const first = pooledRandomBytes(16);
    const copy = Buffer.from(first);
    for (let i = 0; i < 1000; i++) pooledRandomBytes(16);
    expect(first.equals(copy)).toBe(true);
  });

  it('writes text in the asked encoding with the entropy of the asked byte count', () => {
    const id = pooledRandomText(12, 'base64url');
    expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const hex = pooledRandomText(9, 'hex');
    expect(hex).toMatch(/^[0-9a-f]{18}$/);
    const texts = new Set(Array.from({ length: 5000 }, () => pooledRandomText(15, 'base64url')));
    expect(texts.size).toBe(5000);
  });

  it('looks uniform: every byte value appears, none far from its share', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 2000; i++) for (const b of pooledRandomBytes(128)) counts[b]!++;
    // 256,000 bytes: 1,000 expected per value; a CSPRNG stays well within ±25 % (p < 1e-12 per value).
    expect(Math.min(...counts)).toBeGreaterThan(750);
    expect(Math.max(...counts)).toBeLessThan(1250);
  });

  it('draws larger sizes directly and zero-length draws as empty', () => {
    expect(pooledRandomBytes(1000)).toHaveLength(1000);
    expect(pooledRandomBytes(0)).toHaveLength(0);
    expect(pooledRandomText(300, 'hex')).toHaveLength(600);
    expect(() => pooledRandomBytes(-1)).toThrow(RangeError);
    expect(() => pooledRandomBytes(1.5)).toThrow(RangeError);
  });
});

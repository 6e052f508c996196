import { LruMap } from '../lru-map.js';

/**
 * Values remembered for a short time (and a bounded number of keys, oldest out first): for reads repeated on
 * every request whose answer may be a little stale, never for long.
 */
export class ShortLivedCache<K, V> {
  private readonly entries: LruMap<K, { value: V; until: number }>;

  constructor(
    private readonly ttlMs: number,
    maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {
    this.entries = new LruMap(ttlMs > 0 ? maxEntries : 0);
  }

  /** The remembered value, or `load()`'s (remembered unless the TTL is 0). */
  async get(key: K, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.until > this.now()) return hit.value;
    const value = await load();
    this.entries.set(key, { value, until: this.now() + this.ttlMs });
    return value;
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}

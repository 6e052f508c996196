import { LruMap } from '../../lru-map.js';
import type { ContactInput } from '../../persistence/repositories/contact-repository.js';

/**
 * Remembers what was last stored for each contact of each instance, so that the same facts reported again (Baileys
 * reports the sender's push name with every message it receives) cost no write and make no `contacts.update`
 * webhook. Only a hint kept in memory: after a restart the first report of each contact goes through again.
 * Bounded; the least recently seen contacts are forgotten first.
 */
export class ContactChangeFilter {
  private readonly seen: LruMap<string, string>;

  constructor(capacity = 50_000) {
    this.seen = new LruMap(capacity);
  }

  /** The inputs that say something new about their contact (and remembers them as stored once `commit` runs). */
  changed<T extends { input: ContactInput }>(instanceId: string, items: readonly T[]): { items: T[]; commit: () => void } {
    const fresh: Array<[string, string]> = [];
    const kept = items.filter(({ input }) => {
      const key = `${instanceId}|${input.jid}`;
      const facts = JSON.stringify(Object.entries(input).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      if (this.seen.get(key) === facts) return false;
      fresh.push([key, facts]);
      return true;
    });
    return { items: kept, commit: () => fresh.forEach(([key, facts]) => this.seen.set(key, facts)) };
  }
}

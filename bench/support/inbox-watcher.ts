/**
 * Watches simulator contacts' inboxes for the benchmarks: polls each with `?after=<entries already seen>` (so
 * each poll costs only the new entries) and keeps, per message key, the simulator's `receivedAt` (the exact
 * moment the contact decrypted it, not the polling time) and how many times it arrived.
 */
import type { ControlClient, InboxItem } from '../../src/simulator/control/control-client.js';

export interface InboxWatcher {
  /** When each key first arrived (the simulator's decrypt time, ms since the epoch). */
  readonly receivedAt: Map<string, number>;
  /** How many times each key arrived (more than 1 = duplicated). */
  readonly hits: Map<string, number>;
  /** Resolves once `count` distinct keys arrived, or at the deadline; throws a polling error. */
  waitFor(count: number, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export function watchInboxes(
  control: ControlClient,
  contacts: string[],
  options: { intervalMs?: number; key?: (item: InboxItem) => string } = {},
): InboxWatcher {
  const intervalMs = options.intervalMs ?? 200;
  const key = options.key ?? ((item: InboxItem) => item.text ?? item.id);
  const receivedAt = new Map<string, number>();
  const hits = new Map<string, number>();
  const seen = new Map<string, number>(contacts.map((c) => [c, 0]));
  let stopped = false;
  let failure: Error | null = null;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  const poll = async (contact: string): Promise<void> => {
    const items = await control.inbox(contact, seen.get(contact));
    seen.set(contact, (seen.get(contact) ?? 0) + items.length);
    for (const item of items) {
      const k = key(item);
      hits.set(k, (hits.get(k) ?? 0) + 1);
      if (!receivedAt.has(k)) receivedAt.set(k, item.receivedAt);
    }
  };
  const loop = (async () => {
    while (!stopped) {
      try {
        await Promise.all(contacts.map(poll));
      } catch (err) {
        failure = err as Error;
        return;
      }
      await sleep(intervalMs);
    }
  })();

  return {
    receivedAt,
    hits,
    async waitFor(count, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (receivedAt.size < count && Date.now() < deadline && !failure) await sleep(50);
      if (failure) throw failure;
    },
    async stop() {
      stopped = true;
      await loop;
      if (failure) throw failure;
    },
  };
}

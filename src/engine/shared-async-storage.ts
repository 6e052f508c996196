import asyncHooks, { AsyncLocalStorage } from 'node:async_hooks';
import { syncBuiltinESMExports } from 'node:module';

/**
 * Process-global switch (call once, before sockets open; main.ts does it through createEngine): every
 * `new AsyncLocalStorage()` from now on is a view onto ONE shared storage.
 *
 * Why: Baileys creates an AsyncLocalStorage per socket (`addTransactionCapability`). On Node 20 every enabled
 * AsyncLocalStorage is visited by the async-hooks `init` of EVERY async resource in the process, so with 1,000
 * sockets each promise anywhere costs 1,000 store copies: idle CPU and pairing time grow with the instances. With one
 * shared storage the cost is constant; each view keeps its own slot in the shared store (a Map keyed by view), so
 * the views behave as separate storages (run, getStore, exit, enterWith).
 */
const shared = new AsyncLocalStorage<ReadonlyMap<symbol, unknown>>();
const Original = AsyncLocalStorage;
let installed = false;

class SharedSlotStorage<T> extends Original<T> {
  private readonly slot = Symbol('async-storage-slot');

  override getStore(): T | undefined {
    return shared.getStore()?.get(this.slot) as T | undefined;
  }

  override run<R, A extends unknown[]>(store: T, callback: (...args: A) => R, ...args: A): R {
    const next = new Map(shared.getStore() ?? []);
    next.set(this.slot, store);
    return shared.run(next, callback, ...args);
  }

  override exit<R, A extends unknown[]>(callback: (...args: A) => R, ...args: A): R {
    const next = new Map(shared.getStore() ?? []);
    next.delete(this.slot);
    return shared.run(next, callback, ...args);
  }

  override enterWith(store: T): void {
    const next = new Map(shared.getStore() ?? []);
    next.set(this.slot, store);
    shared.enterWith(next);
  }

  override disable(): void {
    const current = shared.getStore();
    if (!current?.has(this.slot)) return;
    const next = new Map(current);
    next.delete(this.slot);
    shared.enterWith(next);
  }
}

export function shareAsyncLocalStorage(): void {
  if (installed) return;
  installed = true;
  (asyncHooks as { AsyncLocalStorage: typeof AsyncLocalStorage }).AsyncLocalStorage = SharedSlotStorage;
  syncBuiltinESMExports();
}

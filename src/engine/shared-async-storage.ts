import type { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire, syncBuiltinESMExports } from 'node:module';

/**
 * Process-global switch (call once, before sockets open; main.ts does it through createEngine): every
 * `new AsyncLocalStorage()` from now on is a view onto ONE shared storage.
 *
 * Why: Baileys creates an AsyncLocalStorage per socket (`addTransactionCapability`). On Node 20 every enabled
 * AsyncLocalStorage is visited by the async-hooks `init` of EVERY async resource in the process, so with 1,000
 * sockets each promise anywhere costs 1,000 store copies: idle CPU and pairing time grow with the instances. With one
 * shared storage the cost is constant; each view keeps its own slot in the shared store (a Map keyed by view), so
 * the views behave as separate storages (run, getStore, exit, enterWith).
 *
 * One deliberate difference: a store set by `run()` whose callback returns a promise is visible only until that
 * promise settles (then the view answers the enclosing run's store, or nothing). Baileys' only storage is its
 * transaction context: the keys read and written inside `keys.transaction(work)` are cached in the context and
 * committed when `work` settles. Work that the transaction starts and does not await inherits the context, so
 * after the commit its writes went into a finished transaction and were lost: in 7.0.0-rc14 the privacy token that
 * every 1:1 send issues "fire and forget" never stored its timestamp, and each send issued another `privacy` IQ to
 * WhatsApp. With the context ended at its commit, such work reads and writes the key store directly.
 */
interface Cell {
  readonly store: unknown;
  /** False once the run that set it has settled. */
  open: boolean;
  /** The store of this view that the run replaced. */
  readonly outer: Cell | undefined;
}

/** Where Node's own class is kept once switched (on the module object, so every copy of this file finds it). */
const ORIGINAL: unique symbol = Symbol.for('zap-engine.original-async-local-storage');

/**
 * Node's own module object (not an ESM namespace): the switch replaces its `AsyncLocalStorage`, and ESM importers
 * follow through `syncBuiltinESMExports`. Read through `require` so that importing this file creates no ESM view of
 * `node:async_hooks`: Jest builds a test file's view of a core module once, from the module object as it is then.
 */
const asyncHooks = createRequire(import.meta.url)('node:async_hooks') as {
  AsyncLocalStorage: typeof AsyncLocalStorage;
  [ORIGINAL]?: typeof AsyncLocalStorage;
};
const Original: typeof AsyncLocalStorage = asyncHooks[ORIGINAL] ?? asyncHooks.AsyncLocalStorage;
const shared = new Original<ReadonlyMap<symbol, Cell>>();

/** A view onto the shared storage (exported for its tests; the product gets it through `new AsyncLocalStorage()`). */
export class SharedSlotStorage<T> extends Original<T> {
  private readonly slot = Symbol('async-storage-slot');

  override getStore(): T | undefined {
    let cell = shared.getStore()?.get(this.slot);
    while (cell && !cell.open) cell = cell.outer;
    return cell?.store as T | undefined;
  }

  override run<R, A extends unknown[]>(store: T, callback: (...args: A) => R, ...args: A): R {
    const current = shared.getStore();
    const cell: Cell = { store, open: true, outer: current?.get(this.slot) };
    const result = shared.run(this.with(cell), callback, ...args);
    if (isThenable(result)) {
      const end = (): void => {
        cell.open = false;
      };
      result.then(end, end);
    }
    return result;
  }

  override exit<R, A extends unknown[]>(callback: (...args: A) => R, ...args: A): R {
    return shared.run(this.with(undefined), callback, ...args);
  }

  override enterWith(store: T): void {
    shared.enterWith(this.with({ store, open: true, outer: undefined }));
  }

  override disable(): void {
    if (!shared.getStore()?.has(this.slot)) return;
    shared.enterWith(this.with(undefined));
  }

  /** The shared store with this view's slot set to `cell` (or removed). */
  private with(cell: Cell | undefined): Map<symbol, Cell> {
    const next = new Map(shared.getStore() ?? []);
    if (cell) next.set(this.slot, cell);
    else next.delete(this.slot);
    return next;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

export function shareAsyncLocalStorage(): void {
  if (asyncHooks.AsyncLocalStorage === SharedSlotStorage) return;
  asyncHooks[ORIGINAL] ??= Original;
  asyncHooks.AsyncLocalStorage = SharedSlotStorage;
  syncBuiltinESMExports();
}

/** Puts Node's own AsyncLocalStorage back (for test harnesses that also run bare Baileys in the same process). */
export function unshareAsyncLocalStorage(): void {
  if (asyncHooks.AsyncLocalStorage === Original) return;
  asyncHooks.AsyncLocalStorage = Original;
  syncBuiltinESMExports();
}

import { BusyError } from './engine-errors.js';

export type LockMode = 'wait' | 'fail';

export interface OperationLockOptions {
  instanceId: string;
  /** `wait`: queue behind the running operation (default); `fail`: throw BusyError at once. */
  mode?: LockMode;
  /** In `wait` mode, give up with BusyError after this long (default 30 s). */
  waitTimeoutMs?: number;
}

/** Serializes the state-changing operations of one instance: never two at once. */
export class OperationLock {
  private tail: Promise<void> = Promise.resolve();
  private running: string | null = null;
  /** Operations running or waiting; counted synchronously so `fail` mode sees them at once. */
  private inFlight: string[] = [];
  private readonly instanceId: string;
  private readonly mode: LockMode;
  private readonly waitTimeoutMs: number;

  constructor(options: OperationLockOptions) {
    this.instanceId = options.instanceId;
    this.mode = options.mode ?? 'wait';
    this.waitTimeoutMs = options.waitTimeoutMs ?? 30_000;
  }

  /** The name of the operation holding the lock, if any. */
  get current(): string | null {
    return this.running ?? this.inFlight[0] ?? null;
  }

  async run<T>(name: string, fn: () => Promise<T>, mode: LockMode = this.mode): Promise<T> {
    if (this.inFlight.length > 0 && mode === 'fail') throw new BusyError(this.instanceId, this.current ?? 'unknown');
    this.inFlight.push(name);
    const done = (): void => {
      const i = this.inFlight.indexOf(name);
      if (i >= 0) this.inFlight.splice(i, 1);
    };
    const previous = this.tail;
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.tail = previous.then(() => mine);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        previous,
        new Promise<void>((_, reject) => {
          timer = setTimeout(() => {
            reject(new BusyError(this.instanceId, this.current ?? 'unknown'));
          }, this.waitTimeoutMs);
          timer.unref?.();
        }),
      ]);
    } catch (err) {
      // Our slot stays in the chain; free it once the ones before us are done.
      done();
      void previous.then(release);
      throw err;
    } finally {
      clearTimeout(timer);
    }
    this.running = name;
    try {
      return await fn();
    } finally {
      this.running = null;
      done();
      release();
    }
  }
}

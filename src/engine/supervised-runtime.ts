import type { StatusChange } from './engine-types.js';
import type { InstanceRuntimeEvents } from './runtime-types.js';
import type { OperationPayload, OperationResult, SocketOperationName } from './socket-operations.js';

/** What the supervisor needs from a runtime (InstanceRuntime; fakes in unit tests). */
export interface SupervisedRuntime {
  readonly instanceId: string;
  readonly status: StatusChange;
  readonly running: boolean;
  readonly busyWith: string | null;
  on<K extends keyof InstanceRuntimeEvents & string>(event: K, listener: (...args: InstanceRuntimeEvents[K]) => void): unknown;
  off<K extends keyof InstanceRuntimeEvents & string>(event: K, listener: (...args: InstanceRuntimeEvents[K]) => void): unknown;
  start(): Promise<void>;
  restart(): Promise<void>;
  regenerateQr(): Promise<void>;
  logout(): Promise<void>;
  /** Runs a socket operation (socket-operations.ts) on the open socket; NotConnectedError without one. */
  run<N extends SocketOperationName>(name: N, payload: OperationPayload<N>): Promise<OperationResult<N>>;
  close(): Promise<void>;
  abandon(): void;
}

/** Resolves on the runtime's next status change, or after `ms`. */
export function nextStatus(runtime: SupervisedRuntime, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      runtime.off('status', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref?.();
    runtime.on('status', done);
  });
}

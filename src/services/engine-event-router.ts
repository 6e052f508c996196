import type { Logger } from 'pino';
import type { EngineEvent, EngineEventMeta, EngineEventSink, StatusChange } from '../engine/index.js';
import { unreachableDependency } from '../errors/dependency-errors.js';

/** One consumer of engine events (the status recorder, messaging, webhooks...). Both methods are optional. */
export interface EngineEventHandler {
  /** For logs. */
  readonly name: string;
  onStatus?(instanceId: string, change: StatusChange, meta: EngineEventMeta): Promise<void> | void;
  onEvent?(instanceId: string, event: EngineEvent, meta: EngineEventMeta): Promise<void> | void;
}

/**
 * The engine's one EngineEventSink, fanning out to the handlers registered on it, in registration order and one
 * after the other (the engine already serialises calls per instance, so each handler sees an instance's events in
 * order). A failing handler is logged and does not stop the others.
 *
 * A handler that fails because Postgres or Redis is unreachable is retried (backoff up to 2 s) until it succeeds or
 * `retryUnreachableMs` passes: while a dependency is away, what WhatsApp reports waits in the engine's per-instance
 * chain, in order, and is written when it returns. (Held in memory; inbound messages are also in the engine's inbound
 * journal, replayed after a crash: see README "Operations".)
 *
 *   events.register(new InstanceStatusRecorder(...));   // status → Postgres + connection.update outbox row
 *   events.register(messaging.eventHandler);            // what WhatsApp reports → Postgres + outbox
 */
export class EngineEventRouter implements EngineEventSink {
  private handlers: EngineEventHandler[] = [];
  private readonly log: Logger;

  private readonly retryUnreachableMs: number;

  constructor(logger: Logger, options: { retryUnreachableMs?: number } = {}) {
    this.log = logger.child({ component: 'engine-events' });
    this.retryUnreachableMs = options.retryUnreachableMs ?? 10 * 60_000;
  }

  /** Runs one handler call; again while a dependency is unreachable. Throws the last error otherwise. */
  private async call(run: () => Promise<void> | void, context: Record<string, unknown>): Promise<void> {
    const deadline = Date.now() + this.retryUnreachableMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await run();
        if (attempt > 1) this.log.info({ ...context, attempt }, 'engine event handled after the dependency came back');
        return;
      } catch (err) {
        const down = unreachableDependency(err);
        if (!down || Date.now() > deadline) throw err;
        if (attempt === 1) this.log.warn({ ...context, dependency: down }, 'engine event waits: a dependency is unreachable');
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** Math.min(attempt, 5))));
      }
    }
  }

  /** Adds a handler; returns a function that removes it. */
  register(handler: EngineEventHandler): () => void {
    this.handlers = [...this.handlers, handler];
    return () => {
      this.handlers = this.handlers.filter((h) => h !== handler);
    };
  }

  async onStatus(instanceId: string, change: StatusChange, meta: EngineEventMeta): Promise<void> {
    for (const handler of this.handlers) {
      if (!handler.onStatus) continue;
      try {
        await this.call(() => handler.onStatus?.(instanceId, change, meta), { instanceId, handler: handler.name, status: change.status });
      } catch (err) {
        this.log.error({ instanceId, handler: handler.name, status: change.status, err }, 'status handler failed');
      }
    }
  }

  async onEvent(instanceId: string, event: EngineEvent, meta: EngineEventMeta): Promise<void> {
    for (const handler of this.handlers) {
      if (!handler.onEvent) continue;
      try {
        await this.call(() => handler.onEvent?.(instanceId, event, meta), { instanceId, handler: handler.name, event: event.name });
      } catch (err) {
        this.log.error({ instanceId, handler: handler.name, event: event.name, err }, 'event handler failed');
      }
    }
  }
}

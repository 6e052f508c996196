import type { Logger } from 'pino';
import type { EngineEvent, EngineEventMeta, EngineEventSink, StatusChange } from '../engine/index.js';

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
 *   events.register(new InstanceStatusRecorder(...));   // status → Postgres + connection.update outbox row
 *   events.register(messaging.eventHandler);            // what WhatsApp reports → Postgres + outbox
 */
export class EngineEventRouter implements EngineEventSink {
  private handlers: EngineEventHandler[] = [];
  private readonly log: Logger;

  constructor(logger: Logger) {
    this.log = logger.child({ component: 'engine-events' });
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
        await handler.onStatus(instanceId, change, meta);
      } catch (err) {
        this.log.error({ instanceId, handler: handler.name, status: change.status, err }, 'status handler failed');
      }
    }
  }

  async onEvent(instanceId: string, event: EngineEvent, meta: EngineEventMeta): Promise<void> {
    for (const handler of this.handlers) {
      if (!handler.onEvent) continue;
      try {
        await handler.onEvent(instanceId, event, meta);
      } catch (err) {
        this.log.error({ instanceId, handler: handler.name, event: event.name, err }, 'event handler failed');
      }
    }
  }
}

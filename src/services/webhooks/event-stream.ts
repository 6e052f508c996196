import type { Logger } from 'pino';
import type { WebhookEventRepository } from '../../persistence/repositories/webhook-event-repository.js';
import { envelopeOf } from './stored-event-envelope.js';

/** Where a stream writes (the HTTP layer adapts a response to it). */
export interface EventStreamSink {
  /** One SSE message; false when the connection's buffer is full (wait for `drained`). */
  event(id: number, name: string, data: string): boolean;
  /** A comment line (heartbeat). */
  comment(text: string): void;
  drained(): Promise<void>;
  /** Ends the response (shutdown). */
  end(): void;
}

export interface EventStreamOptions {
  events: WebhookEventRepository;
  /** Subscribes to "events were appended to this instance" (cross-node); returns the unsubscribe. */
  subscribe: (instanceId: string, wake: () => void) => Promise<() => void>;
  logger: Logger;
  /** Most events replayed on resume (older ones are skipped). */
  replayWindow: number;
  heartbeatMs: number;
  /** Fallback poll when a notification is lost. */
  pollMs: number;
}

/**
 * One live stream of an instance's outbox events (SSE): starts after `Last-Event-ID` (at most `replayWindow`
 * events back) or at the present, then forwards every new event in sequence order as it is committed, anywhere.
 */
export class InstanceEventStream {
  private cursor = 0;
  private closed = false;
  private pumping: Promise<void> | null = null;
  private again = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly options: EventStreamOptions,
    private readonly instanceId: string,
    private readonly sink: EventStreamSink,
  ) {}

  /** Positions the stream and starts forwarding. `lastEventId`: the last sequence the client has, if resuming. */
  async open(lastEventId: number | null): Promise<void> {
    const last = await this.options.events.lastSequence(this.instanceId);
    this.cursor = lastEventId === null ? last : Math.max(Math.min(lastEventId, last), last - this.options.replayWindow, 0);
    this.unsubscribe = await this.options.subscribe(this.instanceId, () => this.wake());
    if (this.closed) return this.close();
    this.heartbeat = setInterval(() => this.sink.comment('keep-alive'), this.options.heartbeatMs);
    this.poll = setInterval(() => this.wake(), this.options.pollMs);
    this.sink.comment('connected');
    this.wake();
  }

  /** Stops forwarding; with `end`, also finishes the response (shutdown; the client reconnects elsewhere). */
  close(end = false): void {
    if (end && !this.closed) this.sink.end();
    this.closed = true;
    clearInterval(this.heartbeat);
    clearInterval(this.poll);
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private wake(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump()
      .catch((err: unknown) => this.options.logger.warn({ err, instanceId: this.instanceId }, 'event stream read failed'))
      .finally(() => {
        this.pumping = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async pump(): Promise<void> {
    for (;;) {
      const batch = await this.options.events.listAfter(this.instanceId, this.cursor, 200);
      for (const row of batch) {
        if (this.closed) return;
        const envelope = envelopeOf(row);
        this.cursor = row.sequence;
        if (!this.sink.event(row.sequence, row.event, JSON.stringify(envelope))) await this.sink.drained();
      }
      if (batch.length < 200) return;
    }
  }
}

/** Opens instance streams and closes whatever is still open on shutdown. */
export class EventStreams {
  private readonly open = new Set<InstanceEventStream>();

  constructor(private readonly options: EventStreamOptions) {}

  async openStream(instanceId: string, lastEventId: number | null, sink: EventStreamSink): Promise<{ close(): void }> {
    const stream = new InstanceEventStream(this.options, instanceId, sink);
    this.open.add(stream);
    const handle = {
      close: () => {
        stream.close();
        this.open.delete(stream);
      },
    };
    try {
      await stream.open(lastEventId);
    } catch (err) {
      handle.close();
      throw err;
    }
    return handle;
  }

  get size(): number {
    return this.open.size;
  }

  /** Ends every open stream (shutdown: lets the HTTP server close; clients reconnect with Last-Event-ID). */
  closeAll(): void {
    for (const stream of this.open) stream.close(true);
    this.open.clear();
  }
}

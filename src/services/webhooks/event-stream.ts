import type { Logger } from 'pino';
import { RateLimitError } from '../../errors/rate-limit-error.js';
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
  events: Pick<WebhookEventRepository, 'lastSequence' | 'lastSequences' | 'listAfter'>;
  /** Subscribes to "events were appended to this instance" (cross-node); returns the unsubscribe. */
  subscribe: (instanceId: string, wake: () => void) => Promise<() => void>;
  logger: Logger;
  /** Most events replayed on resume (older ones are skipped). */
  replayWindow: number;
  heartbeatMs: number;
  /** Fallback check when a notification is lost: one query per node per interval for all open streams. */
  pollMs: number;
  /** Streams open at once per tenant (on this node) and per node; 429 past either. */
  limits?: { perTenant: number; perNode: number };
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
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly options: EventStreamOptions,
    readonly instanceId: string,
    readonly tenantId: string,
    private readonly sink: EventStreamSink,
  ) {}

  /** The last sequence forwarded (or the starting point). */
  get position(): number {
    return this.cursor;
  }

  /** Positions the stream and starts forwarding. `lastEventId`: the last sequence the client has, if resuming. */
  async open(lastEventId: number | null): Promise<void> {
    const last = await this.options.events.lastSequence(this.instanceId);
    this.cursor = lastEventId === null ? last : Math.max(Math.min(lastEventId, last), last - this.options.replayWindow, 0);
    this.unsubscribe = await this.options.subscribe(this.instanceId, () => this.wake());
    if (this.closed) return this.close();
    this.heartbeat = setInterval(() => this.sink.comment('keep-alive'), this.options.heartbeatMs);
    this.sink.comment('connected');
    this.wake();
  }

  /** Stops forwarding; with `end`, also finishes the response (shutdown; the client reconnects elsewhere). */
  close(end = false): void {
    if (end && !this.closed) this.sink.end();
    this.closed = true;
    clearInterval(this.heartbeat);
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Reads and forwards what was appended since the cursor (a notification, or the node's fallback check). */
  wake(): void {
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

/**
 * Opens instance streams, within the per-tenant and per-node caps, and closes whatever is still open on shutdown.
 * Streams wake on the event channel's notifications; a notification that is lost is caught by one fallback check
 * per node (a single query for the last sequence of every streamed instance), not by a poll per stream.
 */
export class EventStreams {
  /** Every instance stream open here (a tenant stream holds one per instance): for the fallback check and shutdown. */
  private readonly open = new Set<InstanceEventStream>();
  /** Client connections (an instance stream or a tenant stream): what the caps count. */
  private connections = 0;
  private readonly byTenant = new Map<string, number>();
  private fallback: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(private readonly options: EventStreamOptions) {}

  async openStream(instanceId: string, tenantId: string, lastEventId: number | null, sink: EventStreamSink): Promise<{ close(): void }> {
    this.admit(tenantId);
    const stream = new InstanceEventStream(this.options, instanceId, tenantId, sink);
    return this.track(tenantId, [stream], () => stream.open(lastEventId));
  }

  /**
   * One connection for the events of several instances of a tenant (the dashboard's instance list), counted as one
   * stream against the caps. It starts at the present (no resume: sequences are per instance, so a client reads the
   * current state when it (re)connects); `only` keeps just those event names. One keep-alive for the connection.
   */
  async openTenantStream(tenantId: string, instanceIds: readonly string[], sink: EventStreamSink, only?: ReadonlySet<string>): Promise<{ close(): void }> {
    this.admit(tenantId);
    const streams = instanceIds.map((id, n) => new InstanceEventStream(this.options, id, tenantId, filteredSink(sink, only, n === 0)));
    if (streams.length === 0) {
      // Nothing to follow yet: keep the connection alive so the client does not reconnect in a loop.
      const heartbeat = setInterval(() => sink.comment('keep-alive'), this.options.heartbeatMs);
      sink.comment('connected');
      return this.track(tenantId, [], async () => undefined, () => clearInterval(heartbeat));
    }
    return this.track(tenantId, streams, async () => {
      for (const stream of streams) await stream.open(null);
    });
  }

  /** Counts one connection made of `streams`, opens them, and gives the handle that closes them all once. */
  private async track(
    tenantId: string,
    streams: InstanceEventStream[],
    open: () => Promise<void>,
    onClose: () => void = () => undefined,
  ): Promise<{ close(): void }> {
    for (const stream of streams) this.open.add(stream);
    this.connections += 1;
    this.byTenant.set(tenantId, (this.byTenant.get(tenantId) ?? 0) + 1);
    this.ensureFallback();
    let closed = false;
    const handle = {
      close: () => {
        for (const stream of streams) stream.close();
        if (closed) return;
        closed = true;
        onClose();
        this.forget(tenantId, streams);
      },
    };
    try {
      await open();
    } catch (err) {
      handle.close();
      throw err;
    }
    return handle;
  }

  /** Throws a 429 when the tenant or the node has as many streams open as allowed. */
  admit(tenantId: string): void {
    const limits = this.options.limits;
    if (!limits) return;
    if ((this.byTenant.get(tenantId) ?? 0) >= limits.perTenant) {
      throw new RateLimitError(5, `At most ${limits.perTenant} live event streams at once per account`);
    }
    if (this.connections >= limits.perNode) throw new RateLimitError(5, 'Too many live event streams on this server, try again later');
  }

  /** Client connections open (a tenant stream counts once). */
  get size(): number {
    return this.connections;
  }

  /** Ends every open stream (shutdown: lets the HTTP server close; clients reconnect with Last-Event-ID). */
  closeAll(): void {
    for (const stream of this.open) stream.close(true);
    this.open.clear();
    this.connections = 0;
    this.byTenant.clear();
    clearInterval(this.fallback);
    this.fallback = undefined;
  }

  private forget(tenantId: string, streams: readonly InstanceEventStream[]): void {
    for (const stream of streams) this.open.delete(stream);
    if (this.connections === 0) return; // closeAll ran
    this.connections -= 1;
    const left = (this.byTenant.get(tenantId) ?? 1) - 1;
    if (left <= 0) this.byTenant.delete(tenantId);
    else this.byTenant.set(tenantId, left);
    if (this.open.size === 0) {
      clearInterval(this.fallback);
      this.fallback = undefined;
    }
  }

  private ensureFallback(): void {
    if (this.fallback) return;
    this.fallback = setInterval(() => void this.check(), this.options.pollMs);
    this.fallback.unref();
  }

  /** One query for all streamed instances; wakes only the streams that are behind. */
  private async check(): Promise<void> {
    if (this.checking || this.open.size === 0) return;
    this.checking = true;
    try {
      const streams = [...this.open];
      const last = await this.options.events.lastSequences([...new Set(streams.map((s) => s.instanceId))]);
      for (const stream of streams) {
        if ((last.get(stream.instanceId) ?? 0) > stream.position) stream.wake();
      }
    } catch (err) {
      this.options.logger.warn({ err }, 'live streams: fallback check failed');
    } finally {
      this.checking = false;
    }
  }
}

/** A sink that forwards only the `only` events (all without it), and the keep-alive comments only when `comments`. */
function filteredSink(sink: EventStreamSink, only: ReadonlySet<string> | undefined, comments: boolean): EventStreamSink {
  return {
    event: (id, name, data) => (only && !only.has(name) ? true : sink.event(id, name, data)),
    comment: (text) => {
      if (comments) sink.comment(text);
    },
    drained: () => sink.drained(),
    end: () => sink.end(),
  };
}

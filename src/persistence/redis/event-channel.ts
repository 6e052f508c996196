import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisKeys } from './redis-keys.js';

/** What travels on the channel: events of an instance were committed, or deliveries became due (redeliver). */
export type EventSignal =
  | { kind: 'appended'; instanceId: string; lastSequence: number; /** absent: unknown */ deliveries?: number }
  | { kind: 'due' };

export type EventSignalListener = (signal: EventSignal) => void;

/**
 * Cross-node wake-ups over Redis pub/sub (`<prefix>:events`). Only hints: the outbox rows are the truth and every
 * listener also polls, so a lost message only delays. Listeners on this node hear a signal at once, without the
 * Redis round trip; other nodes get one message per instance per tick (the signals of a burst coalesced, last
 * sequence and delivery counts combined), and only while some are listening: the channel counts its subscribers
 * (PUBSUB NUMSUB) once per probe interval, so a lone node publishes nothing. A node that starts listening is heard
 * from within one interval; until then it polls, as it always does. Publishing uses the shared connection;
 * listening takes a duplicate in subscriber mode, opened on the first `listen()` and closed by `close()`.
 * Satisfies the services' EventNotifier port (`notifyAppended`).
 */
export class RedisEventChannel {
  private readonly channel: string;
  private readonly listeners = new Set<EventSignalListener>();
  private subscriber: Redis | null = null;
  private subscribing: Promise<void> | null = null;
  private closed = false;
  /** Tags what this channel publishes, so its own messages coming back from Redis are not dispatched twice. */
  private readonly origin = randomBytes(8).toString('hex');
  private readonly outgoing = new Map<string, EventSignal>();
  private flushScheduled = false;
  /** Subscribers of the channel other than this channel's own, as last counted; null: not known (publish). */
  private others: number | null = null;
  private subscribed = false;
  private probeTimer: NodeJS.Timeout | null = null;
  private probing: Promise<void> | null = null;

  constructor(
    private readonly redis: Redis,
    keys: RedisKeys,
    private readonly logger: Logger,
    private readonly options: { /** How often the subscribers are counted (default 1 s). */ probeIntervalMs?: number } = {},
  ) {
    this.channel = keys.key('events');
  }

  /** Counts the channel's subscribers on other nodes now (it also happens once per probe interval). */
  probe(): Promise<void> {
    this.probing ??= (async () => {
      try {
        const reply = (await this.redis.call('PUBSUB', 'NUMSUB', this.channel)) as [string, number | string];
        this.others = Math.max(0, Number(reply[1]) - (this.subscribed ? 1 : 0));
      } catch (err) {
        this.others = null;
        this.logger.debug({ err }, 'counting event channel subscribers failed (publishing anyway)');
      } finally {
        this.probing = null;
      }
    })();
    return this.probing;
  }

  notifyAppended(instanceId: string, lastSequence: number, deliveries?: number): void {
    this.signal({ kind: 'appended', instanceId, lastSequence, ...(deliveries !== undefined ? { deliveries } : {}) });
  }

  /** Wakes delivery runners on every node (a delivery was made due again). */
  notifyDue(): void {
    this.signal({ kind: 'due' });
  }

  private signal(signal: EventSignal): void {
    if (this.closed) return;
    this.deliver(signal);
    if (this.probeTimer === null) {
      void this.probe();
      this.probeTimer = setInterval(() => void this.probe(), this.options.probeIntervalMs ?? 1000);
      this.probeTimer.unref();
    }
    const key = signal.kind === 'due' ? '' : signal.instanceId;
    const queued = this.outgoing.get(key);
    this.outgoing.set(key, queued ? combine(queued, signal) : signal);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const signals = [...this.outgoing.values()];
      this.outgoing.clear();
      if (this.others === 0) return; // nobody else listens
      for (const s of signals) this.publish(s);
    });
  }

  /** Adds a listener (subscribing on first use); returns its removal. */
  async listen(listener: EventSignalListener): Promise<() => void> {
    if (this.closed) throw new Error('RedisEventChannel is closed');
    this.listeners.add(listener);
    await this.ensureSubscribed();
    return () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
    const subscriber = this.subscriber;
    this.subscriber = null;
    if (!subscriber) return;
    try {
      await subscriber.quit();
    } catch (err) {
      this.logger.warn({ err }, 'closing the event channel subscriber failed');
      subscriber.disconnect();
    }
  }

  private publish(signal: EventSignal): void {
    if (this.closed) return;
    this.redis.publish(this.channel, JSON.stringify({ ...signal, origin: this.origin })).catch((err: unknown) => {
      this.logger.warn({ err }, 'publishing an event signal failed (listeners fall back to polling)');
    });
  }

  private ensureSubscribed(): Promise<void> {
    this.subscribing ??= this.subscribe().catch((err: unknown) => {
      this.subscribing = null;
      throw err;
    });
    return this.subscribing;
  }

  private async subscribe(): Promise<void> {
    const subscriber = this.redis.duplicate({ lazyConnect: true });
    this.subscriber = subscriber;
    subscriber.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'event channel subscriber error'));
    subscriber.on('message', (_channel: string, message: string) => this.dispatch(message));
    if (subscriber.status === 'wait') await subscriber.connect();
    await subscriber.subscribe(this.channel);
    this.subscribed = true;
  }

  private dispatch(message: string): void {
    let signal: EventSignal & { origin?: string };
    try {
      signal = JSON.parse(message) as EventSignal & { origin?: string };
    } catch {
      return;
    }
    if (signal.origin === this.origin) return; // heard locally when it was signalled
    delete signal.origin;
    this.deliver(signal);
  }

  private deliver(signal: EventSignal): void {
    for (const listener of this.listeners) {
      try {
        listener(signal);
      } catch (err) {
        this.logger.error({ err }, 'event signal listener failed');
      }
    }
  }
}

/** Two signals of one instance (or two `due`) as one: the later sequence, the deliveries of both (unknown wins). */
function combine(a: EventSignal, b: EventSignal): EventSignal {
  if (a.kind !== 'appended' || b.kind !== 'appended') return b;
  const lastSequence = Math.max(a.lastSequence, b.lastSequence);
  if (a.deliveries === undefined || b.deliveries === undefined) return { kind: 'appended', instanceId: b.instanceId, lastSequence };
  return { kind: 'appended', instanceId: b.instanceId, lastSequence, deliveries: a.deliveries + b.deliveries };
}

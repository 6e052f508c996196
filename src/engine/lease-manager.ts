import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface LeaseManagerOptions {
  redis: Redis;
  keyPrefix: string;
  nodeId: string;
  logger: Logger;
  /** Lease lifetime (LEASE_TTL_MS, default 30 s); renewed every ttl/3. */
  ttlMs?: number;
  /** Called once per lease that a renew found taken by another node or missing. */
  onLost?: (instanceId: string) => void;
  now?: () => number;
}

/** Takes the lease if free, or refreshes it if already ours. */
const ACQUIRE_SCRIPT = `
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if owner then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

/**
 * Compare-and-pexpire: extends the lease while we still hold it. When this renewal comes late (ARGV[3] = '1': the
 * last confirmation is a whole TTL old, e.g. a starved event loop) a lease that expired and that nobody took
 * meanwhile is taken again (2): no other node ran the socket, so dropping ours would only cost a reconnect. A key
 * missing while our renewals were on time was removed on purpose: lost.
 */
const RENEW_SCRIPT = `
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
if not owner and ARGV[3] == '1' then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 2
end
return 0
`;

/** Compare-and-delete: releases the lease only if we hold it. */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/**
 * Redis leases `<prefix>:lease:<instanceId>` = nodeId with a TTL: the node holding an
 * instance's lease is the only one allowed to run its socket. Held leases are renewed every
 * ttl/3 in one pipeline; a lease found taken or missing is dropped and reported through
 * `onLost`. If Redis cannot be reached for a whole TTL, our leases may have expired and been
 * taken, so they are reported lost too (better no socket than two).
 */
export class LeaseManager {
  readonly nodeId: string;
  readonly ttlMs: number;
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly held = new Map<string, number>(); // instanceId -> last confirmed at
  private onLostHandler: ((instanceId: string) => void) | undefined;
  private timer: NodeJS.Timeout | null = null;
  private renewing: Promise<void> | null = null;
  private closed = false;

  constructor(options: LeaseManagerOptions) {
    this.redis = options.redis;
    this.prefix = options.keyPrefix;
    this.nodeId = options.nodeId;
    this.ttlMs = options.ttlMs ?? 30_000;
    this.log = options.logger;
    this.now = options.now ?? Date.now;
    this.onLostHandler = options.onLost;
  }

  set onLost(handler: ((instanceId: string) => void) | undefined) {
    this.onLostHandler = handler;
  }

  /** Starts the renew loop. */
  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => void this.renewAll(), Math.max(50, Math.floor(this.ttlMs / 3)));
    this.timer.unref?.();
  }

  key(instanceId: string): string {
    return `${this.prefix}:lease:${instanceId}`;
  }

  /** SET NX PX (or refresh when already ours). True when this node now holds the lease. */
  async acquire(instanceId: string): Promise<boolean> {
    if (this.closed) return false;
    const ok = await this.redis.eval(ACQUIRE_SCRIPT, 1, this.key(instanceId), this.nodeId, String(this.ttlMs));
    if (ok === 1) this.held.set(instanceId, this.now());
    return ok === 1;
  }

  /** Tries many leases in one round trip; returns the ids acquired. */
  async acquireMany(instanceIds: string[]): Promise<string[]> {
    if (this.closed || instanceIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of instanceIds) pipeline.eval(ACQUIRE_SCRIPT, 1, this.key(id), this.nodeId, String(this.ttlMs));
    const results = (await pipeline.exec()) ?? [];
    const acquired: string[] = [];
    results.forEach(([err, ok], i) => {
      const id = instanceIds[i];
      if (!err && ok === 1 && id !== undefined) {
        this.held.set(id, this.now());
        acquired.push(id);
      }
    });
    return acquired;
  }

  /** Compare-and-delete. */
  async release(instanceId: string): Promise<void> {
    this.held.delete(instanceId);
    await this.redis.eval(RELEASE_SCRIPT, 1, this.key(instanceId), this.nodeId);
  }

  /** The node holding the lease, or null. */
  async owner(instanceId: string): Promise<string | null> {
    return this.redis.get(this.key(instanceId));
  }

  isHeld(instanceId: string): boolean {
    return this.held.has(instanceId);
  }

  heldIds(): string[] {
    return [...this.held.keys()];
  }

  /** One renew round for every held lease (also what the timer runs). */
  async renewAll(): Promise<void> {
    if (this.renewing) return this.renewing;
    this.renewing = this.doRenew().finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  private async doRenew(): Promise<void> {
    const ids = this.heldIds();
    if (ids.length === 0) return;
    const startedAt = this.now();
    const pipeline = this.redis.pipeline();
    for (const id of ids) {
      const late = startedAt - (this.held.get(id) ?? startedAt) >= this.ttlMs ? '1' : '0';
      pipeline.eval(RENEW_SCRIPT, 1, this.key(id), this.nodeId, String(this.ttlMs), late);
    }
    let results: Array<[Error | null, unknown]>;
    try {
      results = (await pipeline.exec()) ?? [];
    } catch (err) {
      this.log.warn({ nodeId: this.nodeId, err: err instanceof Error ? err.message : String(err) }, 'lease renew failed');
      for (const id of ids) {
        const confirmed = this.held.get(id);
        if (confirmed !== undefined && this.now() - confirmed >= this.ttlMs) this.lose(id);
      }
      return;
    }
    let retaken = 0;
    results.forEach(([err, ok], i) => {
      const id = ids[i];
      if (id === undefined || !this.held.has(id)) return;
      if (!err && (ok === 1 || ok === 2)) this.held.set(id, startedAt);
      else if (!err) this.lose(id);
      if (ok === 2) retaken += 1;
    });
    if (retaken > 0) this.log.warn({ nodeId: this.nodeId, retaken, lateMs: this.now() - startedAt }, 'leases expired before their renewal and were taken again');
  }

  private lose(instanceId: string): void {
    if (!this.held.delete(instanceId)) return;
    this.log.warn({ nodeId: this.nodeId, instanceId }, 'lease lost');
    try {
      this.onLostHandler?.(instanceId);
    } catch (err) {
      this.log.error({ instanceId, err: err instanceof Error ? err.message : String(err) }, 'onLost handler failed');
    }
  }

  /** Stops renewing WITHOUT releasing: the leases expire on their own (simulates a crash). */
  abandon(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.held.clear();
  }

  /** Stops renewing and releases every held lease. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const ids = this.heldIds();
    this.held.clear();
    if (ids.length === 0) return;
    try {
      const pipeline = this.redis.pipeline();
      for (const id of ids) pipeline.eval(RELEASE_SCRIPT, 1, this.key(id), this.nodeId);
      await pipeline.exec();
    } catch (err) {
      this.log.warn({ nodeId: this.nodeId, err: err instanceof Error ? err.message : String(err) }, 'releasing leases failed');
    }
  }
}

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface LeaseManagerOptions {
  redis: Redis;
  keyPrefix: string;
  nodeId: string;
  /**
   * This process's boot id (NodeIdentity). With it, leases read `<nodeId>#<bootId>` and a lease whose boot id is
   * not the one alive (`<prefix>:alive:<nodeId>`, NodeIdentity) is taken over at once instead of after the TTL;
   * without it leases read `<nodeId>` and only expire.
   */
  bootId?: string;
  logger: Logger;
  /** Lease lifetime (LEASE_TTL_MS, default 30 s); renewed every ttl/3. */
  ttlMs?: number;
  /** Called once per lease that a renew found taken by another node or missing. */
  onLost?: (instanceId: string) => void;
  now?: () => number;
}

/**
 * KEYS[1] lease, KEYS[2] our liveness key (or the lease key again without a boot id).
 * ARGV: holder value, ttl, liveness key prefix (`<prefix>:alive:`), our boot id ('' without one).
 * Refuses while another boot of our own node is alive (we were presumed dead and replaced). Takes the lease if
 * free (1), refreshes it if already ours (1), takes it over (2) when its holder's boot id is not the one alive
 * (a killed process: its leases come back at once), else 0.
 */
const ACQUIRE_SCRIPT = `
if ARGV[4] ~= '' then
  local mine = redis.call('GET', KEYS[2])
  if mine and mine ~= ARGV[4] then return 0 end
end
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if owner then
  local hash = string.find(owner, '#', 1, true)
  if not hash then return 0 end
  local alive = redis.call('GET', ARGV[3] .. string.sub(owner, 1, hash - 1))
  if alive == string.sub(owner, hash + 1) then return 0 end
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 2
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

/**
 * Compare-and-pexpire: extends the lease while we still hold it, and (with a boot id, ARGV[3]) while no other boot
 * of our node holds the liveness key KEYS[2]. When this renewal comes late (ARGV[4] = '1': the last confirmation is
 * a whole TTL old, e.g. a starved event loop) a lease that expired and that nobody took meanwhile is taken again (2):
 * no other node ran the socket, so dropping ours would only cost a reconnect. A key missing while our renewals were
 * on time was removed on purpose: lost.
 */
const RENEW_SCRIPT = `
if ARGV[3] ~= '' then
  local mine = redis.call('GET', KEYS[2])
  if mine and mine ~= ARGV[3] then return 0 end
end
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
if not owner and ARGV[4] == '1' then
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
 * Redis leases `<prefix>:lease:<instanceId>` = `<nodeId>#<bootId>` (or `<nodeId>` without a boot id) with a TTL:
 * the process holding an instance's lease is the only one allowed to run its socket. A lease whose holder's boot
 * id is no longer the live one (NodeIdentity's `<prefix>:alive:<nodeId>`) is taken over at once: a restarted
 * process gets its previous life's instances back without waiting for the TTL, and another node adopts a killed
 * node's instances as soon as its liveness key expires. Held leases are renewed every
 * ttl/3 in one pipeline; a lease found taken or missing is dropped and reported through
 * `onLost`. If Redis cannot be reached for a whole TTL, our leases may have expired and been
 * taken, so they are reported lost too (better no socket than two).
 */
export class LeaseManager {
  readonly nodeId: string;
  /** What our leases read: `<nodeId>#<bootId>`, or `<nodeId>`. */
  readonly holder: string;
  readonly ttlMs: number;
  private readonly bootId: string;
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly held = new Map<string, number>(); // instanceId -> last confirmed at
  private readonly takenOver = new Set<string>();
  private onLostHandler: ((instanceId: string) => void) | undefined;
  private timer: NodeJS.Timeout | null = null;
  private renewing: Promise<void> | null = null;
  private closed = false;

  constructor(options: LeaseManagerOptions) {
    this.redis = options.redis;
    this.prefix = options.keyPrefix;
    this.nodeId = options.nodeId;
    this.bootId = options.bootId ?? '';
    this.holder = this.bootId ? `${options.nodeId}#${this.bootId}` : options.nodeId;
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

  /** Our liveness key (or, without a boot id, a placeholder the scripts ignore). */
  private mineKey(instanceId: string): string {
    return this.bootId ? `${this.prefix}:alive:${this.nodeId}` : this.key(instanceId);
  }

  /**
   * True (once) when the last acquire of this instance took it over from a dead process: its stored status may
   * still claim a socket that no longer exists.
   */
  takeTakeover(instanceId: string): boolean {
    return this.takenOver.delete(instanceId);
  }

  /** SET NX PX (or refresh when already ours). True when this node now holds the lease. */
  async acquire(instanceId: string): Promise<boolean> {
    if (this.closed) return false;
    const ok = await this.redis.eval(ACQUIRE_SCRIPT, 2, this.key(instanceId), this.mineKey(instanceId), this.holder, String(this.ttlMs), `${this.prefix}:alive:`, this.bootId);
    return this.noteAcquired(instanceId, ok);
  }

  /** Tries many leases in one round trip; returns the ids acquired. */
  async acquireMany(instanceIds: string[]): Promise<string[]> {
    if (this.closed || instanceIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of instanceIds) {
      pipeline.eval(ACQUIRE_SCRIPT, 2, this.key(id), this.mineKey(id), this.holder, String(this.ttlMs), `${this.prefix}:alive:`, this.bootId);
    }
    const results = (await pipeline.exec()) ?? [];
    const acquired: string[] = [];
    results.forEach(([err, ok], i) => {
      const id = instanceIds[i];
      if (!err && id !== undefined && this.noteAcquired(id, ok)) acquired.push(id);
    });
    return acquired;
  }

  private noteAcquired(instanceId: string, result: unknown): boolean {
    if (result !== 1 && result !== 2) return false;
    this.held.set(instanceId, this.now());
    if (result === 2) {
      this.takenOver.add(instanceId);
      this.log.info({ nodeId: this.nodeId, instanceId }, 'lease taken over from a dead process');
    }
    return true;
  }

  /** Compare-and-delete. */
  async release(instanceId: string): Promise<void> {
    this.held.delete(instanceId);
    this.takenOver.delete(instanceId);
    await this.redis.eval(RELEASE_SCRIPT, 1, this.key(instanceId), this.holder);
  }

  /** The node holding the lease (its NODE_ID, without the boot id), or null. */
  async owner(instanceId: string): Promise<string | null> {
    return holderNode(await this.redis.get(this.key(instanceId)));
  }

  /** The nodes holding these leases (NODE_IDs, null where free), in one round trip. */
  async owners(instanceIds: string[]): Promise<Array<string | null>> {
    if (instanceIds.length === 0) return [];
    const values = await this.redis.mget(...instanceIds.map((id) => this.key(id)));
    return values.map((v) => holderNode(v ?? null));
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
      pipeline.eval(RENEW_SCRIPT, 2, this.key(id), this.mineKey(id), this.holder, String(this.ttlMs), this.bootId, late);
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

  /** Reports every held lease lost (another process took this node's identity: its sockets must go). */
  loseAll(): void {
    for (const id of this.heldIds()) this.lose(id);
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
    this.takenOver.clear();
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
      for (const id of ids) pipeline.eval(RELEASE_SCRIPT, 1, this.key(id), this.holder);
      await pipeline.exec();
    } catch (err) {
      this.log.warn({ nodeId: this.nodeId, err: err instanceof Error ? err.message : String(err) }, 'releasing leases failed');
    }
  }
}

/** The NODE_ID part of a lease value (`<nodeId>#<bootId>` or `<nodeId>`). */
export function holderNode(value: string | null): string | null {
  if (value === null) return null;
  const hash = value.indexOf('#');
  return hash < 0 ? value : value.slice(0, hash);
}

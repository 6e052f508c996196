import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface NodeIdentityOptions {
  redis: Redis;
  keyPrefix: string;
  /** NODE_ID: stable across restarts of the same node (default: the hostname). */
  nodeId: string;
  logger: Logger;
  /** NODE_LIVENESS_TTL_MS (default 5 s): how long after its last heartbeat a process counts as dead. */
  ttlMs?: number;
  /** This process's boot id; random by default. */
  bootId?: string;
  /** Called once if another process took this identity while we were away (we were presumed dead). */
  onTaken?: () => void;
}

/** A second live process claims an identity that is in use. */
export class NodeIdentityInUseError extends Error {
  readonly code = 'node_identity_in_use';
  constructor(readonly nodeId: string) {
    super(
      `NODE_ID "${nodeId}" is in use by another live process (its liveness key keeps being renewed); ` +
        'stop it, or give this process another NODE_ID',
    );
    this.name = 'NodeIdentityInUseError';
  }
}

/**
 * Renews `<prefix>:alive:<nodeId>` = bootId only while it is absent or ours: returns 1 when renewed, 0 when
 * another boot of this node holds it.
 */
const HEARTBEAT_SCRIPT = `
local v = redis.call('GET', KEYS[1])
if v == false or v == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;

/** Deletes the liveness key only if it is ours. */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * Who this process is in the cluster: a stable NODE_ID (the same after a restart) and a boot id (new every
 * start). The liveness key `<prefix>:alive:<nodeId>` = bootId lives `ttlMs` and is renewed every ttl/4, so:
 *
 * - a restarted process (same NODE_ID, new boot id) finds its previous life's key gone within `ttlMs` of the
 *   kill, claims the identity, and takes back the leases that carry the old boot id at once (LeaseManager);
 * - a second LIVE process with the same NODE_ID sees the key renewed and refuses to start
 *   (NodeIdentityInUseError): never two sockets for one device;
 * - any node can tell a lease held by a dead process (its boot id is not the one alive) and adopt it without
 *   waiting for the lease TTL; the API shows such an instance as `disconnected` / `node_lost`.
 */
export class NodeIdentity {
  readonly nodeId: string;
  readonly bootId: string;
  readonly ttlMs: number;
  private readonly redis: Redis;
  private readonly log: Logger;
  private readonly key: string;
  private timer: NodeJS.Timeout | null = null;
  private claimed = false;
  private closed = false;
  private readonly onTaken: (() => void) | undefined;

  constructor(options: NodeIdentityOptions) {
    this.redis = options.redis;
    this.nodeId = options.nodeId;
    this.bootId = options.bootId ?? randomBytes(6).toString('hex');
    this.ttlMs = options.ttlMs ?? 5000;
    this.log = options.logger;
    this.key = aliveKey(options.keyPrefix, options.nodeId);
    this.onTaken = options.onTaken;
  }

  /** The value leases of this process carry: `<nodeId>#<bootId>`. */
  get holder(): string {
    return `${this.nodeId}#${this.bootId}`;
  }

  /**
   * Claims the identity: waits (up to ttl + 1 s) for a previous life's liveness key to expire; if it keeps being
   * renewed, another live process has this NODE_ID and NodeIdentityInUseError is thrown. Then keeps it alive.
   */
  async claim(): Promise<void> {
    if (this.claimed || this.closed) return;
    const deadline = Date.now() + this.ttlMs + 1000;
    let waited = false;
    for (;;) {
      const ok = await this.redis.set(this.key, this.bootId, 'PX', this.ttlMs, 'NX');
      if (ok === 'OK') break;
      if (Date.now() > deadline) throw new NodeIdentityInUseError(this.nodeId);
      if (!waited) {
        this.log.warn({ nodeId: this.nodeId }, 'NODE_ID liveness key present: waiting for the previous process to be gone');
        waited = true;
      }
      await new Promise((r) => setTimeout(r, Math.min(250, Math.max(50, Math.floor(this.ttlMs / 10)))));
    }
    this.claimed = true;
    this.log.info({ nodeId: this.nodeId, bootId: this.bootId }, 'node identity claimed');
    this.timer = setInterval(() => void this.heartbeat(), Math.max(50, Math.floor(this.ttlMs / 4)));
    this.timer.unref?.();
    // Renew as soon as Redis is back after an outage (the key may have expired meanwhile).
    this.redis.on('ready', this.onReady);
  }

  /** One renewal (also what the timer runs). False when another boot of this node holds the identity. */
  async heartbeat(): Promise<boolean> {
    if (!this.claimed || this.closed) return true;
    try {
      const ok = await this.redis.eval(HEARTBEAT_SCRIPT, 1, this.key, this.bootId, String(this.ttlMs));
      if (ok === 1) return true;
      this.log.error({ nodeId: this.nodeId, bootId: this.bootId }, 'another process took this NODE_ID; stopping every socket');
      this.stopTimer();
      this.closed = true;
      this.onTaken?.();
      return false;
    } catch (err) {
      this.log.warn({ nodeId: this.nodeId, err: err instanceof Error ? err.message : String(err) }, 'liveness heartbeat failed');
      return true;
    }
  }

  /** Stops the heartbeat and removes the liveness key (clean shutdown). Safe twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopTimer();
    if (!this.claimed) return;
    try {
      await this.redis.eval(RELEASE_SCRIPT, 1, this.key, this.bootId);
    } catch (err) {
      this.log.warn({ nodeId: this.nodeId, err: err instanceof Error ? err.message : String(err) }, 'liveness key release failed');
    }
  }

  /** Dies like kill -9: the heartbeat stops, the key expires on its own. */
  abandon(): void {
    this.closed = true;
    this.stopTimer();
  }

  private readonly onReady = (): void => {
    void this.heartbeat();
  };

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.redis.off('ready', this.onReady);
  }
}

/** `<prefix>:alive:<nodeId>`: read by LeaseManager (Lua) and the API's status check (SocketPresenceReader). */
export function aliveKey(prefix: string, nodeId: string): string {
  return `${prefix}:alive:${nodeId}`;
}

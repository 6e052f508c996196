import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { currentFingerprint, parseFingerprint, procProbe, provenDead, type ProcessFingerprint, type ProcessProbe } from './process-fingerprint.js';

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
  /**
   * Where this process runs (recorded next to the liveness key so that its successor on the same machine can prove
   * it dead at once). Default: read from /proc; null turns the fast path off (the TTL is always waited out).
   */
  fingerprint?: ProcessFingerprint | null;
  /** How a recorded predecessor is checked (default: signals and /proc). */
  probe?: ProcessProbe;
}

/** How a claim went: `previous` is the predecessor proven dead and replaced at once, null when there was none or it was waited out. */
export interface IdentityClaim {
  previous: { bootId: string; pid: number; why: string } | null;
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
 * KEYS[1] `<prefix>:alive:<nodeId>`, KEYS[2] `<prefix>:alive-process:<nodeId>`. ARGV: our boot id, ttl, our
 * fingerprint JSON ('' for none), the boot id we may replace ('' = only an absent key).
 * Sets both (claim) when the liveness key is absent, ours, or holds the expected boot id: 1, else 0.
 */
const CLAIM_SCRIPT = `
local v = redis.call('GET', KEYS[1])
if v == false or v == ARGV[1] or (ARGV[4] ~= '' and v == ARGV[4]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  if ARGV[3] == '' then redis.call('DEL', KEYS[2]) else redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2]) end
  return 1
end
return 0
`;

/** Deletes the liveness key and its fingerprint only if the key holds ARGV[1] (our release, or a proven-dead node's). */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1], KEYS[2]) end
return 0
`;

/**
 * Who this process is in the cluster: a stable NODE_ID (the same after a restart) and a boot id (new every
 * start). The liveness key `<prefix>:alive:<nodeId>` = bootId lives `ttlMs` and is renewed every ttl/4, with
 * `<prefix>:alive-process:<nodeId>` = this process's fingerprint (host, kernel boot id, pid namespace, pid, start
 * time: ProcessFingerprint) beside it, so:
 *
 * - a restarted process (same NODE_ID, new boot id) on the same machine and pid namespace whose predecessor's pid
 *   is gone (or a zombie, or reused by another process) knows it is dead and claims the identity at once;
 *   anywhere else (another host or container, a pid still held by that process, no fingerprint) it waits until
 *   the old key expires, within `ttlMs` of the kill. Then it takes back the leases that carry the old boot id at
 *   once (LeaseManager);
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
  private readonly keyPrefix: string;
  private readonly key: string;
  private readonly processKey: string;
  private readonly fingerprint: ProcessFingerprint | null;
  private readonly fingerprintJson: string;
  private readonly probe: ProcessProbe;
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
    this.keyPrefix = options.keyPrefix;
    this.key = aliveKey(options.keyPrefix, options.nodeId);
    this.processKey = aliveProcessKey(options.keyPrefix, options.nodeId);
    this.fingerprint = options.fingerprint === undefined ? currentFingerprint() : options.fingerprint;
    this.fingerprintJson = this.fingerprint ? JSON.stringify({ bootId: this.bootId, ...this.fingerprint }) : '';
    this.probe = options.probe ?? procProbe;
    this.onTaken = options.onTaken;
  }

  /** True when this process has a fingerprint (Linux /proc), so it can prove a predecessor or neighbour dead. */
  get canProveDeath(): boolean {
    return this.fingerprint !== null;
  }

  /** The value leases of this process carry: `<nodeId>#<bootId>`. */
  get holder(): string {
    return `${this.nodeId}#${this.bootId}`;
  }

  /**
   * Claims the identity. A previous life's liveness key is replaced at once when its recorded process is proven dead
   * (same host, kernel boot and pid namespace, pid gone: see provenDead); otherwise this waits (up to ttl + 1 s) for
   * it to expire, and if it keeps being renewed, another live process has this NODE_ID and NodeIdentityInUseError
   * is thrown. Then keeps it alive.
   */
  async claim(): Promise<IdentityClaim> {
    if (this.claimed || this.closed) return { previous: null };
    let replaced: IdentityClaim['previous'] = null;
    const deadline = Date.now() + this.ttlMs + 1000;
    let waited = false;
    for (;;) {
      if (await this.tryClaim('')) break;
      const previous = await this.previousProvenDead();
      if (previous?.why && previous.pid !== undefined && (await this.tryClaim(previous.bootId))) {
        replaced = { bootId: previous.bootId, pid: previous.pid, why: previous.why };
        this.log.info(
          { nodeId: this.nodeId, previousBootId: previous.bootId, pid: previous.pid, why: previous.why },
          'previous process of this NODE_ID is gone: identity claimed without waiting for its liveness TTL',
        );
        break;
      }
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
    return { previous: replaced };
  }

  /** Sets our liveness key (and fingerprint) if it is absent, ours, or holds `replacing`. */
  private async tryClaim(replacing: string): Promise<boolean> {
    const ok = await this.redis.eval(CLAIM_SCRIPT, 2, this.key, this.processKey, this.bootId, String(this.ttlMs), this.fingerprintJson, replacing);
    return ok === 1;
  }

  /**
   * Another node's process on this machine (same host, kernel boot and pid namespace) that is proven dead loses its
   * liveness key now, so that its leases can be taken over at once (LeaseManager) instead of after its TTL.
   * Returns why, or null when nothing is proven (it is alive, elsewhere, or already gone).
   */
  async reapIfDead(nodeId: string): Promise<string | null> {
    if (!this.fingerprint || this.closed || nodeId === this.nodeId) return null;
    const key = aliveKey(this.keyPrefix, nodeId);
    const processKey = aliveProcessKey(this.keyPrefix, nodeId);
    const found = await this.provenDeadAt(key, processKey);
    if (!found?.why) return null;
    if (Number(await this.redis.eval(RELEASE_SCRIPT, 2, key, processKey, found.bootId)) === 0) return null;
    this.log.info({ deadNodeId: nodeId, bootId: found.bootId, pid: found.pid, why: found.why }, 'a dead node on this machine: its liveness key removed so its instances are adopted now');
    return found.why;
  }

  /** The boot id holding our liveness key and, when its recorded process is proven dead, why; null when the key is gone. */
  private previousProvenDead(): Promise<{ bootId: string; pid?: number; why: string | null } | null> {
    return this.provenDeadAt(this.key, this.processKey);
  }

  private async provenDeadAt(key: string, processKey: string): Promise<{ bootId: string; pid?: number; why: string | null } | null> {
    if (!this.fingerprint) return null;
    const [bootId, recordedJson] = await this.redis.mget(key, processKey);
    if (bootId === null || bootId === undefined) return null;
    let recorded: unknown = null;
    try {
      recorded = recordedJson ? JSON.parse(recordedJson) : null;
    } catch {
      recorded = null;
    }
    const fingerprint = parseFingerprint(recorded);
    // The fingerprint must be the one of the boot holding the key (both are written together, but expire apart).
    if (!fingerprint || (recorded as { bootId?: unknown }).bootId !== bootId) return { bootId, why: null };
    return { bootId, pid: fingerprint.pid, why: provenDead(fingerprint, this.fingerprint, this.probe) };
  }

  /** One renewal (also what the timer runs). False when another boot of this node holds the identity. */
  async heartbeat(): Promise<boolean> {
    if (!this.claimed || this.closed) return true;
    try {
      if (await this.tryClaim('')) return true;
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
      await this.redis.eval(RELEASE_SCRIPT, 2, this.key, this.processKey, this.bootId);
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

/** `<prefix>:alive-process:<nodeId>`: the fingerprint (JSON, with the boot id) of the process holding the liveness key. */
export function aliveProcessKey(prefix: string, nodeId: string): string {
  return `${prefix}:alive-process:${nodeId}`;
}

/** `<prefix>:alive:<nodeId>`: read by LeaseManager (Lua) and the API's status check (SocketPresenceReader). */
export function aliveKey(prefix: string, nodeId: string): string {
  return `${prefix}:alive:${nodeId}`;
}

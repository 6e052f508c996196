import type { Logger } from 'pino';
import { dispatchToRuntime, routeCommand, type CommandRoutingDeps } from './command-routing.js';
import type { CommandResult, EngineCommand } from './engine-commands.js';
import { CommandTimeoutError } from './engine-errors.js';
import type { InstanceStatus, StatusChange } from './engine-types.js';
import { errorMessage } from './error-message.js';
import { LeaseManager } from './lease-manager.js';
import { RedisCommandBus, type BroadcastMessage } from './redis-command-bus.js';
import { RestoreLimiter } from './restore-limiter.js';
import { sleep } from './sleep.js';
import { nextStatus, type SupervisedRuntime } from './supervised-runtime.js';
import type { SessionSupervisorOptions } from './supervisor-options.js';
import { NodeIdentity } from './node-identity.js';
import { SocketConfirmations } from './socket-confirmations.js';

interface Entry {
  runtime: SupervisedRuntime;
  /** Last adoption, command or status: a fresh entry is not dropped before the services layer saw its status. */
  touchedAt: number;
  /** Serializes sink calls so statuses of one instance arrive in order. */
  sinkChain: Promise<void>;
}

/**
 * Runs the sockets of the instances this node owns, so that every runnable instance runs on
 * exactly one node of the cluster.
 *
 * - Ownership is a Redis lease per instance (LeaseManager). On start and every `syncIntervalMs`
 *   the supervisor lists the runnable instances (InstanceDirectory), tries to take the leases
 *   nobody holds (a new instance, a dead node's) and starts their runtimes, at most
 *   `restoreConcurrency` at a time with jitter. Runtimes of instances no longer runnable are
 *   stopped and their leases released.
 * - A lost lease closes the runtime at once (no logout); the new owner carries on with the creds
 *   in Redis.
 * - Commands (restart, logout, regenerate-qr, stop, and every socket operation) can be issued on any
 *   node: `command()` runs them here if this node owns the instance, forwards them to the owner
 *   over the RedisCommandBus otherwise, and adopts the instance if nobody owns it.
 * - Status changes and events go to the EngineEventSink, in order per instance, and only while
 *   this node still holds the lease (a node that lost it must not overwrite the new owner's status).
 * - `close()` stops every socket without logging out, releases the leases and tells the other
 *   nodes, so they take over at once.
 */
export class SessionSupervisor {
  readonly nodeId: string;
  readonly leases: LeaseManager;
  /** This process's identity (null without `livenessTtlMs`). */
  readonly identity: NodeIdentity | null;
  private readonly sockets: SocketConfirmations | null;
  private readonly bus: RedisCommandBus;
  private readonly log: Logger;
  private readonly entries = new Map<string, Entry>();
  private readonly adopting = new Map<string, Promise<Entry | null>>();
  private readonly limiter: RestoreLimiter;
  private readonly routing: CommandRoutingDeps;
  private readonly syncIntervalMs: number;
  private readonly startSettleMs: number;
  private readonly commandTimeoutMs: number;
  private readonly releaseGraceMs: number;
  private syncTimer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> | null = null;
  private started = false;
  private closed = false;

  constructor(private readonly options: SessionSupervisorOptions) {
    this.nodeId = options.nodeId;
    this.log = options.logger.child({ nodeId: options.nodeId });
    const ttl = options.leaseTtlMs ?? 30_000;
    this.limiter = new RestoreLimiter(Math.max(1, options.restoreConcurrency ?? 10), options.restoreJitterMs ?? 500);
    // With liveness, a dead process's instances can be adopted as soon as its liveness key expires: look that often.
    const livenessSync = options.livenessTtlMs === undefined ? Infinity : Math.max(1000, options.livenessTtlMs);
    this.syncIntervalMs = options.syncIntervalMs ?? Math.max(100, Math.min(Math.floor(ttl / 2), livenessSync));
    this.startSettleMs = options.startSettleMs ?? 15_000;
    this.commandTimeoutMs = options.commandTimeoutMs ?? ttl + 15_000;
    this.releaseGraceMs = options.releaseGraceMs ?? Math.max(2 * this.syncIntervalMs, 10_000);
    this.identity =
      options.livenessTtlMs === undefined
        ? null
        : new NodeIdentity({
            redis: options.redis,
            keyPrefix: options.keyPrefix,
            nodeId: options.nodeId,
            logger: this.log,
            ttlMs: options.livenessTtlMs,
            onTaken: () => this.leases.loseAll(),
          });
    this.sockets = this.identity
      ? new SocketConfirmations({ redis: options.redis, keyPrefix: options.keyPrefix, holder: this.identity.holder, logger: this.log })
      : null;
    this.leases = new LeaseManager({
      redis: options.redis,
      keyPrefix: options.keyPrefix,
      nodeId: options.nodeId,
      bootId: this.identity?.bootId,
      logger: this.log,
      ttlMs: ttl,
      onLost: (id) => void this.onLeaseLost(id),
    });
    this.bus = new RedisCommandBus({
      redis: options.redis,
      keyPrefix: options.keyPrefix,
      nodeId: options.nodeId,
      logger: this.log,
      timeoutMs: Math.min(30_000, this.commandTimeoutMs),
      handler: (instanceId, command) => this.executeOwned(instanceId, command),
      onBroadcast: (message) => this.onBroadcast(message),
    });
    this.routing = {
      nodeId: this.nodeId,
      commandTimeoutMs: this.commandTimeoutMs,
      isClosed: () => this.closed,
      isLocal: (id) => this.entries.has(id),
      owner: (id) => this.leases.owner(id),
      adopt: async (id, start) => (await this.adopt(id, { start })) !== null,
      executeOwned: (id, command) => this.executeOwned(id, command),
      forward: (owner, id, command) => this.bus.send(owner, id, command),
    };
  }

  /** Subscribes to commands, starts renewing, restores the runnable instances and keeps syncing. */
  async start(): Promise<void> {
    if (this.started || this.closed) return;
    this.started = true;
    await this.identity?.claim(); // NodeIdentityInUseError when another live process has this NODE_ID
    await this.bus.start();
    this.leases.start();
    await this.syncNow();
    this.syncTimer = setInterval(() => void this.syncNow(), this.syncIntervalMs);
    this.syncTimer.unref?.();
  }

  /** Instances whose runtime lives on this node. */
  localInstanceIds(): string[] {
    return [...this.entries.keys()];
  }

  /** The last status of an instance owned by this node, or null. */
  localStatus(instanceId: string): StatusChange | null {
    return this.entries.get(instanceId)?.runtime.status ?? null;
  }

  /** The node that owns an instance right now (null when nobody does). */
  owner(instanceId: string): Promise<string | null> {
    return this.leases.owner(instanceId);
  }

  /**
   * Runs a command on the owning node, wherever it is; adopts the instance if nobody owns it.
   * Waits while a dead owner's lease runs out (up to `commandTimeoutMs`).
   */
  command<C extends EngineCommand>(instanceId: string, command: C): Promise<CommandResult<C>> {
    return routeCommand(this.routing, instanceId, command);
  }

  /** One reconciliation round: adopt what nobody runs, drop what is no longer runnable. */
  syncNow(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (!this.syncing) {
      this.syncing = this.reconcile()
        .catch((err: unknown) => this.log.error({ err: errorMessage(err) }, 'sync failed'))
        .finally(() => {
          this.syncing = null;
        });
    }
    return this.syncing;
  }

  /** Stops every socket (no logout), releases the leases and tells the other nodes. Safe twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.syncTimer) clearInterval(this.syncTimer);
    this.syncTimer = null;
    const ids = [...this.entries.keys()];
    await Promise.all(
      [...this.entries.values()].map(async ({ runtime }) => {
        try {
          await runtime.close();
        } catch (err) {
          this.log.warn({ instanceId: runtime.instanceId, err: errorMessage(err) }, 'runtime close failed');
        }
      }),
    );
    this.entries.clear();
    await this.sockets?.close(ids);
    try {
      await this.leases.close();
      for (const _ of ids) this.options.metrics?.lease('released');
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, 'lease release failed');
    }
    try {
      if (ids.length > 0) await this.bus.broadcast({ type: 'leases-released', nodeId: this.nodeId, instanceIds: ids });
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, 'release broadcast failed');
    }
    try {
      await this.bus.close();
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, 'command bus close failed');
    }
    await this.identity?.close();
    this.updateGauge();
  }

  /**
   * Dies like a killed process (tests of failover): sockets destroyed, leases neither renewed nor
   * released, no goodbye to the other nodes.
   */
  async abandon(): Promise<void> {
    this.closed = true;
    if (this.syncTimer) clearInterval(this.syncTimer);
    this.syncTimer = null;
    this.leases.abandon();
    this.identity?.abandon();
    this.sockets?.abandon();
    for (const { runtime } of this.entries.values()) runtime.abandon();
    this.entries.clear();
    await this.bus.close();
  }

  // ---- internals -------------------------------------------------------------------------

  private async reconcile(): Promise<void> {
    const runnable = await this.options.directory.listRunnable();
    if (this.closed) return;
    const wanted = new Set(runnable.map((r) => r.id));
    for (const [id, entry] of [...this.entries]) {
      if (!wanted.has(id) && Date.now() - entry.touchedAt > this.releaseGraceMs && entry.runtime.busyWith === null) {
        await this.release(id, 'no longer runnable');
      }
    }
    const candidates = [...wanted].filter((id) => !this.entries.has(id) && !this.adopting.has(id));
    if (candidates.length === 0) return;
    const acquired = await this.leases.acquireMany(candidates);
    if (acquired.length < candidates.length) {
      const got = new Set(acquired);
      acquired.push(...(await this.acquireFromDeadNeighbours(candidates.filter((id) => !got.has(id)))));
    }
    await Promise.all(acquired.map((id) => this.adopt(id, { start: true, leaseHeld: true })));
  }

  /**
   * Leases held by other nodes whose process on this machine is proven dead (NodeIdentity.reapIfDead): their
   * liveness key goes now and the leases are taken over, instead of after the liveness TTL. Nodes on other hosts
   * or containers prove nothing and are left to their TTL.
   */
  private async acquireFromDeadNeighbours(ids: string[]): Promise<string[]> {
    if (!this.identity?.canProveDeath || ids.length === 0) return [];
    const owners = await this.leases.owners(ids);
    const nodes = new Set(owners.filter((n): n is string => n !== null && n !== this.nodeId));
    const dead = new Set<string>();
    for (const node of nodes) if (await this.identity.reapIfDead(node)) dead.add(node);
    if (dead.size === 0) return [];
    return this.leases.acquireMany(ids.filter((_, i) => dead.has(owners[i] ?? '')));
  }

  /** Takes the lease (unless held), builds the runtime and (optionally) starts it. */
  private adopt(instanceId: string, opts: { start: boolean; leaseHeld?: boolean }): Promise<Entry | null> {
    const existing = this.entries.get(instanceId);
    if (existing) return Promise.resolve(existing);
    const inFlight = this.adopting.get(instanceId);
    if (inFlight) return inFlight;
    const work = (async (): Promise<Entry | null> => {
      if (!opts.leaseHeld && !(await this.leases.acquire(instanceId))) return null;
      if (this.closed) {
        await this.leases.release(instanceId);
        return null;
      }
      this.options.metrics?.lease('acquired');
      const entry = this.attach(instanceId);
      this.log.info({ instanceId }, 'instance adopted');
      if (this.leases.takeTakeover(instanceId)) this.reportNodeLost(entry);
      if (opts.start) await this.startLimited(entry);
      return entry;
    })().finally(() => this.adopting.delete(instanceId));
    this.adopting.set(instanceId, work);
    return work;
  }

  private attach(instanceId: string): Entry {
    const runtime = this.options.createRuntime(instanceId);
    const entry: Entry = { runtime, sinkChain: Promise.resolve(), touchedAt: Date.now() };
    this.entries.set(instanceId, entry);
    runtime.on('status', (change) => this.onRuntimeStatus(entry, change));
    runtime.on('event', (event) => {
      if (!this.ownsEntry(entry)) return;
      this.toSink(entry, () => this.options.sink.onEvent(instanceId, event, { nodeId: this.nodeId }));
    });
    runtime.on('socket-close', ({ statusCode, decision }) => {
      const metrics = this.options.metrics;
      if (!metrics) return;
      if (statusCode !== 515) metrics.socketError(statusCode);
      if (decision.action === 'reconnect-now') metrics.reconnect(statusCode === 515 ? 'restart_required' : 'qr_refresh');
      if (decision.action === 'reconnect-backoff') metrics.reconnect('backoff');
    });
    return entry;
  }

  private onRuntimeStatus(entry: Entry, change: StatusChange): void {
    const instanceId = entry.runtime.instanceId;
    if (!this.ownsEntry(entry)) return;
    entry.touchedAt = Date.now();
    this.updateGauge();
    // The socket's confirmation (what the API's status trusts) is written before a `connected` is recorded, and
    // withdrawn only after any other status is recorded: the API never shows node_lost for a socket that merely
    // closed (replaced, logged out...), between the close and its own status.
    const connected = change.status === 'connected';
    if (connected) this.sockets?.note(instanceId, true);
    const withdraw = (): void => {
      // Not when a newer `connected` came meanwhile (it was noted at once; this status was recorded before it).
      if (!connected && entry.runtime.status.status !== 'connected') this.sockets?.note(instanceId, false);
    };
    if (change.status === 'disconnected' && change.reason === 'replaced') {
      // A 440 can mean another node took over after our lease lapsed: check before reporting.
      this.toSink(entry, async () => {
        try {
          const owner = await this.leases.owner(instanceId);
          if (owner !== this.nodeId) {
            this.log.warn({ instanceId, owner }, 'replaced by the new owner; not reporting');
            await this.onLeaseLost(instanceId);
            return;
          }
          await this.options.sink.onStatus(instanceId, change, { nodeId: this.nodeId });
        } finally {
          withdraw();
        }
      });
      return;
    }
    this.toSink(entry, async () => {
      try {
        await this.options.sink.onStatus(instanceId, change, { nodeId: this.nodeId });
      } finally {
        withdraw();
      }
    });
  }

  /**
   * The instance was taken over from a dead process: whatever status it left says nothing about a socket now.
   * Reported as `disconnected` / `node_lost` before the new socket opens (then `connected` again), so
   * connection.update shows both transitions.
   */
  private reportNodeLost(entry: Entry): void {
    const instanceId = entry.runtime.instanceId;
    const change: StatusChange = { status: 'disconnected', reason: 'node_lost', phone: null, jid: null, at: Date.now() };
    this.toSink(entry, () => this.options.sink.onStatus(instanceId, change, { nodeId: this.nodeId }));
  }

  private ownsEntry(entry: Entry): boolean {
    return this.entries.get(entry.runtime.instanceId) === entry && this.leases.isHeld(entry.runtime.instanceId);
  }

  private toSink(entry: Entry, call: () => Promise<void> | void): void {
    entry.sinkChain = entry.sinkChain.then(async () => {
      try {
        await call();
      } catch (err) {
        this.log.error({ instanceId: entry.runtime.instanceId, err: errorMessage(err) }, 'event sink failed');
      }
    });
  }

  private async startLimited(entry: Entry): Promise<void> {
    try {
      await this.limiter.run(async () => {
        if (this.entries.get(entry.runtime.instanceId) !== entry) return;
        const settled = nextStatus(entry.runtime, this.startSettleMs);
        await entry.runtime.start();
        await settled;
      });
    } catch (err) {
      const level = this.closed ? 'debug' : 'error'; // a shutdown during restore closes runtimes mid-start
      this.log[level]({ instanceId: entry.runtime.instanceId, err: errorMessage(err) }, 'start failed');
    }
  }

  /** Runs a command on a runtime this node owns (or adopts). */
  private async executeOwned(instanceId: string, command: EngineCommand): Promise<unknown> {
    let entry: Entry | null | undefined = this.entries.get(instanceId);
    if (!entry) entry = await this.adopt(instanceId, { start: false });
    if (!entry) throw new CommandTimeoutError(instanceId, command.type, await this.leases.owner(instanceId));
    entry.touchedAt = Date.now();
    return dispatchToRuntime(entry.runtime, command, () => this.release(instanceId, 'stop command'));
  }

  /** Closes the runtime (no logout) and releases the lease. */
  private async release(instanceId: string, why: string): Promise<void> {
    const entry = this.entries.get(instanceId);
    this.entries.delete(instanceId);
    if (entry) {
      try {
        await entry.runtime.close();
      } catch (err) {
        this.log.warn({ instanceId, err: errorMessage(err) }, 'runtime close failed');
      }
      // Let the sink see the last statuses before the caller goes on (DELETE purges state after a stop).
      await Promise.race([entry.sinkChain, sleep(5_000)]);
    }
    this.sockets?.note(instanceId, false);
    await this.leases.release(instanceId);
    this.options.metrics?.lease('released');
    this.log.info({ instanceId, why }, 'instance released');
    this.updateGauge();
  }

  private async onLeaseLost(instanceId: string): Promise<void> {
    const entry = this.entries.get(instanceId);
    this.entries.delete(instanceId);
    this.options.metrics?.lease('lost');
    this.updateGauge();
    this.sockets?.note(instanceId, false);
    if (!entry) return;
    this.log.warn({ instanceId }, 'lease lost; closing the socket');
    try {
      await entry.runtime.close();
    } catch (err) {
      this.log.warn({ instanceId, err: errorMessage(err) }, 'runtime close failed');
    }
  }

  private onBroadcast(message: BroadcastMessage): void {
    if (message.type !== 'leases-released' || this.closed) return;
    // Another node shut down cleanly: take its instances now instead of at the next tick.
    setTimeout(() => void this.syncNow(), Math.floor(Math.random() * 200)).unref?.();
  }

  private updateGauge(): void {
    const metrics = this.options.metrics;
    if (!metrics) return;
    const counts: Partial<Record<InstanceStatus, number>> = {};
    for (const { runtime } of this.entries.values()) {
      const status = runtime.status.status;
      counts[status] = (counts[status] ?? 0) + 1;
    }
    metrics.setStatusCounts(counts);
  }
}

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { CommandResult, EngineCommand } from './engine-commands.js';
import { CommandTimeoutError, NoEngineNodeError, RemoteCommandError } from './engine-errors.js';
import type { StatusChange } from './engine-types.js';
import { LeaseManager } from './lease-manager.js';
import { NodeUnreachableError, RedisCommandBus } from './redis-command-bus.js';

export interface RemoteEngineOptions {
  /** NODE_ID of this (API-only) process: replies come back on its channel. */
  nodeId: string;
  redis: Redis;
  keyPrefix: string;
  logger: Logger;
  /** How long a command may take end to end, including waiting for a dead owner's lease (default 45 s). */
  commandTimeoutMs?: number;
}

/**
 * The engine as seen from a node that runs no sockets (ROLE=api): every command goes over the
 * RedisCommandBus to the node that holds the instance's lease; an instance nobody owns is handed
 * to a random node that does run sockets (its supervisor adopts it on the first command). Satisfies
 * what EngineControl needs (`command`, `owner`, `localStatus`), so the services use one EngineControl
 * whatever the role.
 */
export class RemoteEngine {
  private readonly bus: RedisCommandBus;
  private readonly leases: LeaseManager;
  private readonly commandTimeoutMs: number;
  private started: Promise<void> | null = null;

  constructor(options: RemoteEngineOptions) {
    this.commandTimeoutMs = options.commandTimeoutMs ?? 45_000;
    this.bus = new RedisCommandBus({
      redis: options.redis,
      keyPrefix: options.keyPrefix,
      nodeId: options.nodeId,
      logger: options.logger,
      timeoutMs: Math.min(30_000, this.commandTimeoutMs),
      serveCommands: false,
      handler: () => Promise.reject(new Error('this node runs no sockets')),
    });
    // Only `owner()` is used: this manager never acquires or renews anything.
    this.leases = new LeaseManager({
      redis: options.redis,
      keyPrefix: options.keyPrefix,
      nodeId: options.nodeId,
      logger: options.logger,
    });
  }

  /** Subscribes to the reply channel (also done lazily by the first command). */
  start(): Promise<void> {
    this.started ??= this.bus.start();
    return this.started;
  }

  localStatus(): StatusChange | null {
    return null;
  }

  owner(instanceId: string): Promise<string | null> {
    return this.leases.owner(instanceId);
  }

  async command<C extends EngineCommand>(instanceId: string, command: C): Promise<CommandResult<C>> {
    await this.start();
    const deadline = Date.now() + this.commandTimeoutMs;
    for (;;) {
      const owner = await this.leases.owner(instanceId);
      let target = owner;
      if (target === null) {
        if (command.type === 'stop') return undefined as CommandResult<C>;
        const nodes = await this.bus.listNodes();
        if (nodes.length === 0) throw new NoEngineNodeError(instanceId, command.type);
        target = nodes[Math.floor(Math.random() * nodes.length)] ?? null;
      }
      if (target !== null) {
        try {
          return (await this.bus.send(target, instanceId, command)) as CommandResult<C>;
        } catch (err) {
          // The owner died (not listening), or another node took the lease between our look and its adopt.
          const retry = err instanceof NodeUnreachableError || (err instanceof RemoteCommandError && err.code === 'command_timeout');
          if (!retry) throw err;
        }
      }
      if (Date.now() > deadline) throw new CommandTimeoutError(instanceId, command.type, owner);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Unsubscribes. Safe to call twice. */
  async close(): Promise<void> {
    await this.bus.close();
  }
}

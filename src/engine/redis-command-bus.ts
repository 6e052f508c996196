import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { CommandTimeoutError, RemoteCommandError } from './engine-errors.js';
import type { EngineCommand } from './engine-commands.js';

/**
 * Request/reply between nodes over Redis pub/sub.
 *
 * Why pub/sub and not a per-node BullMQ queue: these commands are interactive (an HTTP request
 * waits for the answer: restart, disconnect, a number lookup) and only make sense right now. A
 * command that outlived its caller must NOT run later (a queued "restart" replayed minutes after
 * a node came back would drop a healthy connection). Pub/sub tells the sender at once whether
 * the owner is listening (PUBLISH returns the number of receivers), costs no Redis writes and
 * no polling. Durability where it matters (sends) lives one level up: the send job stays in
 * BullMQ and is retried with its fixed message id if a command times out.
 *
 * Channels: `<prefix>:engine:cmd:<nodeId>` (commands to a node), `<prefix>:engine:reply:<nodeId>`
 * (answers to the node that asked), `<prefix>:engine:broadcast` (e.g. "I released leases").
 */
export interface RedisCommandBusOptions {
  /** Used to publish; a duplicate() of it subscribes. */
  redis: Redis;
  keyPrefix: string;
  nodeId: string;
  logger: Logger;
  /** Runs a command addressed to this node. */
  handler: (instanceId: string, command: EngineCommand) => Promise<unknown>;
  onBroadcast?: (message: BroadcastMessage) => void;
  /** How long to wait for an answer (default 30 s). */
  timeoutMs?: number;
  /**
   * Listen for commands addressed to this node (default true). A node that runs no sockets (ROLE=api)
   * sets false: it only sends commands and waits for replies, and `listNodes()` does not list it.
   */
  serveCommands?: boolean;
}

export type BroadcastMessage = { type: 'leases-released'; nodeId: string; instanceIds: string[] };

interface RequestEnvelope {
  id: string;
  from: string;
  instanceId: string;
  command: EngineCommand;
}

interface ReplyEnvelope {
  id: string;
  ok: boolean;
  value?: unknown;
  error?: { code: string; message: string };
}

/** Thrown by `send` when no process listens on the target node's channel. */
export class NodeUnreachableError extends Error {
  constructor(readonly nodeId: string) {
    super(`node ${nodeId} is not listening`);
    this.name = 'NodeUnreachableError';
  }
}

export class RedisCommandBus {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly nodeId: string;
  private readonly log: Logger;
  private readonly handler: RedisCommandBusOptions['handler'];
  private readonly onBroadcast: RedisCommandBusOptions['onBroadcast'];
  private readonly timeoutMs: number;
  private readonly serveCommands: boolean;
  private subscriber: Redis | null = null;
  private readonly pending = new Map<
    string,
    { resolve: (value: unknown) => void; reject: (err: Error) => void; timer: NodeJS.Timeout; instanceId: string; command: string }
  >();
  private closed = false;

  constructor(options: RedisCommandBusOptions) {
    this.redis = options.redis;
    this.prefix = options.keyPrefix;
    this.nodeId = options.nodeId;
    this.log = options.logger;
    this.handler = options.handler;
    this.onBroadcast = options.onBroadcast;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.serveCommands = options.serveCommands ?? true;
  }

  private commandChannel(nodeId: string): string {
    return `${this.prefix}:engine:cmd:${nodeId}`;
  }

  private replyChannel(nodeId: string): string {
    return `${this.prefix}:engine:reply:${nodeId}`;
  }

  private get broadcastChannel(): string {
    return `${this.prefix}:engine:broadcast`;
  }

  async start(): Promise<void> {
    if (this.subscriber || this.closed) return;
    const subscriber = this.redis.duplicate();
    this.subscriber = subscriber;
    subscriber.on('message', (channel: string, message: string) => this.onMessage(channel, message));
    subscriber.on('error', (err: Error) => this.log.warn({ nodeId: this.nodeId, err: err.message }, 'command bus subscriber error'));
    const channels = [this.replyChannel(this.nodeId), this.broadcastChannel];
    if (this.serveCommands) channels.unshift(this.commandChannel(this.nodeId));
    await subscriber.subscribe(...channels);
  }

  /** Nodes listening for commands right now (PUBSUB CHANNELS over the command channels). */
  async listNodes(): Promise<string[]> {
    const head = `${this.prefix}:engine:cmd:`;
    const channels = (await this.redis.pubsub('CHANNELS', `${head}*`)) as string[];
    return channels.map((c) => c.slice(head.length)).filter((id) => id.length > 0);
  }

  /** Sends a command to `nodeId` and waits for its answer. */
  async send(nodeId: string, instanceId: string, command: EngineCommand): Promise<unknown> {
    const id = randomUUID();
    const envelope: RequestEnvelope = { id, from: this.nodeId, instanceId, command };
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CommandTimeoutError(instanceId, command.type, nodeId));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer, instanceId, command: command.type });
    });
    const receivers = await this.redis.publish(this.commandChannel(nodeId), JSON.stringify(envelope));
    if (receivers === 0) {
      const entry = this.pending.get(id);
      if (entry) clearTimeout(entry.timer);
      this.pending.delete(id);
      answer.catch(() => undefined);
      throw new NodeUnreachableError(nodeId);
    }
    return answer;
  }

  async broadcast(message: BroadcastMessage): Promise<void> {
    await this.redis.publish(this.broadcastChannel, JSON.stringify(message));
  }

  private onMessage(channel: string, message: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      this.log.warn({ nodeId: this.nodeId, channel }, 'command bus: unparsable message');
      return;
    }
    if (channel === this.commandChannel(this.nodeId) && this.serveCommands) void this.onRequest(parsed as RequestEnvelope);
    else if (channel === this.replyChannel(this.nodeId)) this.onReply(parsed as ReplyEnvelope);
    else if (channel === this.broadcastChannel) {
      const broadcast = parsed as BroadcastMessage;
      if (broadcast.nodeId !== this.nodeId) this.onBroadcast?.(broadcast);
    }
  }

  private async onRequest(request: RequestEnvelope): Promise<void> {
    let reply: ReplyEnvelope;
    try {
      const value = await this.handler(request.instanceId, request.command);
      reply = { id: request.id, ok: true, value: value ?? null };
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      reply = {
        id: request.id,
        ok: false,
        error: {
          code: typeof code === 'string' ? code : 'engine_error',
          message: err instanceof Error ? err.message : String(err),
        },
      };
    }
    if (this.closed) return;
    try {
      await this.redis.publish(this.replyChannel(request.from), JSON.stringify(reply));
    } catch (err) {
      this.log.warn({ instanceId: request.instanceId, err: err instanceof Error ? err.message : String(err) }, 'command reply failed');
    }
  }

  private onReply(reply: ReplyEnvelope): void {
    const entry = this.pending.get(reply.id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(reply.id);
    if (reply.ok) entry.resolve(reply.value ?? undefined);
    else {
      const code = reply.error?.code ?? 'engine_error';
      entry.reject(new RemoteCommandError(entry.instanceId, entry.command, code, reply.error?.message ?? 'remote command failed'));
    }
  }

  /** Unsubscribes and fails pending requests. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [id, entry] of this.pending) {
      clearTimeout(entry.timer);
      entry.reject(new Error('command bus closed'));
      this.pending.delete(id);
    }
    const subscriber = this.subscriber;
    this.subscriber = null;
    if (subscriber) {
      try {
        await subscriber.quit();
      } catch {
        subscriber.disconnect();
      }
    }
  }
}

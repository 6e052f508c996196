import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface SocketConfirmationsOptions {
  redis: Redis;
  keyPrefix: string;
  /** `<nodeId>#<bootId>` of this process (NodeIdentity.holder). */
  holder: string;
  logger: Logger;
  /** How often writes that failed (Redis away) are retried (default 1 s). */
  retryMs?: number;
}

/** Deletes the confirmation only if it is ours. */
const WITHDRAW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * `<prefix>:socket:<instanceId>` = `<nodeId>#<bootId>` while that process has the instance's socket open
 * (status `connected`). The API shows `connected` only when this key names a boot id that is alive
 * (SocketPresenceReader), so a killed node or a restarted process that has not reopened the socket yet is never
 * shown as connected. Writes that fail while Redis is away are kept (last state wins) and retried until they land.
 */
export class SocketConfirmations {
  private readonly pending = new Map<string, boolean>();
  private readonly log: Logger;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: SocketConfirmationsOptions) {
    this.log = options.logger;
  }

  key(instanceId: string): string {
    return `${this.options.keyPrefix}:socket:${instanceId}`;
  }

  /** Records that this process has (true) or no longer has (false) the instance's socket open. */
  note(instanceId: string, open: boolean): void {
    if (this.closed) return;
    this.pending.set(instanceId, open);
    void this.flush();
  }

  /** Writes every pending state; what fails stays pending for the retry timer. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending];
    const pipeline = this.options.redis.pipeline();
    for (const [id, open] of batch) {
      if (open) pipeline.set(this.key(id), this.options.holder);
      else pipeline.eval(WITHDRAW_SCRIPT, 1, this.key(id), this.options.holder);
    }
    try {
      const results = (await pipeline.exec()) ?? [];
      batch.forEach(([id, open], i) => {
        if (!results[i]?.[0] && this.pending.get(id) === open) this.pending.delete(id);
      });
    } catch (err) {
      this.log.warn({ pending: this.pending.size, err: err instanceof Error ? err.message : String(err) }, 'socket confirmations not written; retrying');
    }
    if (this.pending.size > 0) this.scheduleRetry();
  }

  /** Withdraws every given confirmation (clean shutdown); stops retrying. Safe twice. */
  async close(instanceIds: string[]): Promise<void> {
    if (this.closed) return;
    for (const id of instanceIds) this.pending.set(id, false);
    try {
      await this.flush();
    } finally {
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.pending.clear();
    }
  }

  /** Dies like kill -9: nothing more is written (the confirmations name a boot id that is no longer alive). */
  abandon(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }

  private scheduleRetry(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.options.retryMs ?? 1000);
    this.timer.unref?.();
  }
}

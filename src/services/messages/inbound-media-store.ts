import type { Logger } from 'pino';
import type { JsonObject } from '../../engine/engine-types.js';
import type { MessageRepository } from '../../persistence/repositories/message-repository.js';
import type { MediaLimits } from './media-rules.js';
import { mediaKey, type MediaStorage } from './media-storage.js';
import type { MediaDownloader } from './messaging-ports.js';

export interface InboundMediaStoreDeps {
  messages: MessageRepository;
  storage: MediaStorage;
  download: MediaDownloader;
  limits: MediaLimits;
  timeoutMs: number;
  logger: Logger;
  /** Downloads at once (default 2). */
  concurrency?: number;
}

/**
 * Downloads inbound media after its message row is stored (`mediaStatus: pending`), stores it in the
 * MediaStorage and records `stored` (with size and sha256) or `failed` on the row. Pending rows left by a crash
 * are picked up again by `recover()`.
 */
export class InboundMediaStore {
  private readonly queue: Array<{ instanceId: string; id: string }> = [];
  private readonly queued = new Set<string>();
  private active = 0;
  private closed = false;
  private idle: Array<() => void> = [];

  constructor(private readonly deps: InboundMediaStoreDeps) {}

  schedule(instanceId: string, id: string): void {
    if (this.closed || this.queued.has(id)) return;
    this.queued.add(id);
    this.queue.push({ instanceId, id });
    this.pump();
  }

  async recover(): Promise<number> {
    const pending = await this.deps.messages.findMediaPending(500);
    for (const m of pending) this.schedule(m.instanceId, m.id);
    return pending.length;
  }

  /** Resolves when nothing is queued or running (tests). */
  drained(): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    await this.drained();
  }

  private pump(): void {
    while (this.active < (this.deps.concurrency ?? 2) && this.queue.length > 0) {
      const next = this.queue.shift() as { instanceId: string; id: string };
      this.active += 1;
      void this.store(next.instanceId, next.id).finally(() => {
        this.active -= 1;
        this.queued.delete(next.id);
        if (this.active === 0 && this.queue.length === 0) for (const done of this.idle.splice(0)) done();
        else this.pump();
      });
    }
  }

  private async store(instanceId: string, id: string): Promise<void> {
    const log = this.deps.logger;
    try {
      const message = await this.deps.messages.findById(instanceId, id);
      if (!message || message.mediaStatus !== 'pending' || !message.raw) return;
      const kind = message.type === 'sticker' ? 'image' : message.type;
      const limit = (this.deps.limits as Record<string, number>)[kind] ?? this.deps.limits.document;
      const data = await this.deps.download(message.raw as JsonObject, { maxBytes: limit, timeoutMs: this.deps.timeoutMs });
      const put = await this.deps.storage.put(mediaKey(instanceId, `${id}.media`), data);
      await this.deps.messages.updateMedia(instanceId, id, {
        mediaStatus: 'stored',
        mediaStorageKey: put.key,
        mediaSize: put.size,
        mediaSha256: put.sha256,
        mediaError: null,
      });
      log.debug({ instanceId, messageId: id, size: put.size }, 'inbound media stored');
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      log.warn({ instanceId, messageId: id, err: reason }, 'inbound media download failed');
      await this.deps.messages.updateMedia(instanceId, id, { mediaStatus: 'failed', mediaError: reason }).catch(() => undefined);
    }
  }
}

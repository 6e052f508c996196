import type { SendJobPayload } from './job-payloads.js';
import type { SendFailureReason } from './send-ports.js';
import type { SendQueue } from './send-queue.js';
import type { SendWorkerPool } from './send-worker-pool.js';

/**
 * The send pipeline per instance on this node: each instance queue gets a global concurrency of 1 (set once per
 * process, idempotent in Redis) before anything touches it, and its worker is started on demand (nodes that run
 * sockets only; `workers` is null elsewhere).
 */
export class InstanceSendWorkers {
  private readonly prepared = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(
    private readonly queue: SendQueue,
    readonly workers: SendWorkerPool | null,
  ) {}

  prepare(instanceId: string): Promise<void> {
    let ready = this.prepared.get(instanceId);
    if (!ready) {
      ready = this.queue
        .queueFor(instanceId)
        .setGlobalConcurrency(1)
        .then(() => undefined);
      ready.catch(() => this.prepared.delete(instanceId));
      this.prepared.set(instanceId, ready);
    }
    return ready;
  }

  /** Starts the instance's worker on this node unless it runs already (or this node runs none, or is closing). */
  async ensure(instanceId: string): Promise<void> {
    if (!this.workers || this.stopped || this.workers.isRunning(instanceId)) return;
    await this.prepare(instanceId);
    await this.workers.start(instanceId);
  }

  async enqueueSend(payload: SendJobPayload): Promise<{ jobId: string }> {
    await this.prepare(payload.instanceId);
    return this.queue.enqueueSend(payload);
  }

  /** Fails the instance's pending messages (disconnect, ban, delete). */
  async failPending(instanceId: string, reason: SendFailureReason): Promise<number> {
    await this.prepare(instanceId);
    return this.queue.failPending(instanceId, reason);
  }

  /** The instance's worker on this node, then its queue (DELETE); other nodes' idle workers go with the key sweep. */
  async remove(instanceId: string): Promise<void> {
    await this.workers?.stop(instanceId, { force: true });
    await this.queue.removeInstance(instanceId);
  }

  /** No worker starts after this (shutdown). */
  stopStarting(): void {
    this.stopped = true;
  }
}

import type { SendJobPayload } from './job-payloads.js';
import type { SendFailureReason } from './send-ports.js';
import type { SendQueue } from './send-queue.js';
import type { SendWorkerPool } from './send-worker-pool.js';

/**
 * The send pipeline per instance on this node: the instances it sends for (nodes that run sockets only; `workers`
 * is null elsewhere). The lanes need no per-instance preparation in Redis.
 */
export class InstanceSendWorkers {
  private stopped = false;

  constructor(
    private readonly queue: SendQueue,
    readonly workers: SendWorkerPool | null,
  ) {}

  /** This node sends for the instance (unless it sends for none, or is closing). */
  async ensure(instanceId: string): Promise<void> {
    if (!this.workers || this.stopped || this.workers.isRunning(instanceId)) return;
    await this.workers.start(instanceId);
  }

  async enqueueSend(payload: SendJobPayload): Promise<{ jobId: string }> {
    return this.queue.enqueueSend(payload);
  }

  /**
   * Fails the instance's pending messages (disconnect, ban, delete). This node's jobs of the instance that wait for
   * their turn are parked first, so none is left behind held by a worker.
   */
  async failPending(instanceId: string, reason: SendFailureReason): Promise<number> {
    const fail = () => this.queue.failPending(instanceId, reason);
    return this.workers ? this.workers.withholding(instanceId, fail) : fail();
  }

  /** The instance's worker on this node, then its queue (DELETE); its jobs leave its lane. */
  async remove(instanceId: string): Promise<void> {
    await this.workers?.stop(instanceId, { force: true });
    await this.queue.removeInstance(instanceId);
  }

  /** No worker starts after this (shutdown). */
  stopStarting(): void {
    this.stopped = true;
  }
}

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { deleteKeysMatching } from '../persistence/redis/scan-keys.js';
import type { InstanceStatePurger } from './instance-lifecycle.js';

export interface PurgeStep {
  name: string;
  purge(instanceId: string): Promise<void>;
}

/**
 * DELETE, after the row is gone: every part wipes what it keeps for the instance in Redis (each step on its own, a
 * failure is logged and the next runs), then one sweep of any key left that names the instance (ids are random,
 * so nothing else matches): e.g. a BullMQ worker closed right after it started writes its stalled-check once more,
 * hence the short settle before the sweep.
 */
export class InstancePurge implements InstanceStatePurger {
  constructor(
    private readonly deps: { steps: PurgeStep[]; redis: Redis; keyPrefix: string; logger: Logger; settleMs?: number },
  ) {}

  async purge(instanceId: string): Promise<void> {
    const { logger } = this.deps;
    for (const step of this.deps.steps) {
      try {
        await step.purge(instanceId);
      } catch (err) {
        logger.error({ instanceId, purger: step.name, err }, 'purging instance state failed');
      }
    }
    await new Promise((r) => setTimeout(r, this.deps.settleMs ?? 300));
    try {
      await deleteKeysMatching(this.deps.redis, `${this.deps.keyPrefix}:*${instanceId}*`);
    } catch (err) {
      logger.error({ instanceId, err }, 'sweeping instance keys failed');
    }
  }
}

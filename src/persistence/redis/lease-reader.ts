import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';

/**
 * Reads the engine's socket leases (`<prefix>:lease:<instanceId>` = the holder's NODE_ID, see
 * engine/lease-manager.ts) without taking part in them: which node runs which instance right now.
 */
export class LeaseReader {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** The current holder of each instance's lease; instances nobody holds are absent. */
  async holders(instanceIds: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < instanceIds.length; i += 500) {
      const ids = instanceIds.slice(i, i + 500);
      const values = await this.redis.mget(ids.map((id) => this.keys.key('lease', id)));
      ids.forEach((id, j) => {
        const holder = values[j];
        // `<nodeId>#<bootId>` (engine/lease-manager.ts): the node is what an operator knows.
        if (holder) out.set(id, holder.includes('#') ? holder.slice(0, holder.indexOf('#')) : holder);
      });
    }
    return out;
  }
}

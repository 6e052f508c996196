import type { Redis } from 'ioredis';
import type { InstanceEntity } from '../entities/instance.entity.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Reads whether an instance's socket is really open, from what the engine keeps in Redis (see
 * engine/socket-confirmations.ts and engine/node-identity.ts): `<prefix>:socket:<instanceId>` = `<nodeId>#<bootId>`
 * of the process that opened it, and `<prefix>:alive:<nodeId>` = the boot id of the live process of that node.
 * A socket is live only when both name the same boot id: a killed process's confirmation names a boot id that is
 * no longer alive, and a restarted process has not confirmed until its socket is open again.
 */
export class SocketPresenceReader {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** The ids (of those given) whose socket a live process confirms. */
  async live(instanceIds: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < instanceIds.length; i += 500) {
      const ids = instanceIds.slice(i, i + 500);
      const holders = await this.redis.mget(ids.map((id) => this.keys.key('socket', id)));
      const nodes = [...new Set(holders.flatMap((h) => (h && h.includes('#') ? [h.slice(0, h.indexOf('#'))] : [])))];
      if (nodes.length === 0) continue;
      const boots = await this.redis.mget(nodes.map((n) => this.keys.key('alive', n)));
      const alive = new Map(nodes.map((n, j) => [n, boots[j] ?? null]));
      ids.forEach((id, j) => {
        const h = holders[j];
        if (!h) return;
        const hash = h.indexOf('#');
        if (hash > 0 && alive.get(h.slice(0, hash)) === h.slice(hash + 1)) out.add(id);
      });
    }
    return out;
  }

  /**
   * Rows stored as `connected` whose socket no live process confirms become `disconnected` / `node_lost` (in
   * place): the status the API shows never claims a socket that does not exist.
   */
  async correct(rows: InstanceEntity[]): Promise<void> {
    const connected = rows.filter((r) => r.status === 'connected');
    if (connected.length === 0) return;
    const live = await this.live(connected.map((r) => r.id));
    for (const row of connected) {
      if (live.has(row.id)) continue;
      row.status = 'disconnected';
      row.statusReason = 'node_lost';
    }
  }
}

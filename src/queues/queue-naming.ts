/** Characters allowed in an instance id used inside a job payload or an old per-instance queue name. */
const NAME_PART = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * Names of every queue, and the BullMQ key prefix derived from the service's Redis prefix (`<prefix>:bull`), so
 * tests and deployments sharing a Redis stay apart. Sends go through a small fixed set of lanes, `send.s0` ...
 * `send.s<lanes-1>`; an instance always hashes to the same lane (keys look like `<prefix>:bull:send.s2:wait`).
 */
export class QueueNaming {
  /** The BullMQ `prefix` option. */
  readonly bullPrefix: string;

  constructor(readonly redisPrefix: string) {
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(redisPrefix)) throw new Error(`invalid Redis prefix: ${redisPrefix}`);
    this.bullPrefix = `${redisPrefix}:bull`;
  }

  /** The send lane `index` (0-based). */
  sendLane(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index > 255) throw new Error(`invalid send lane: ${index}`);
    return `send.s${index}`;
  }

  /** The lane of an instance among `lanes`: FNV-1a of its id, so every node and every restart agrees. */
  laneOf(instanceId: string, lanes: number): number {
    if (!NAME_PART.test(instanceId)) throw new Error(`invalid instance id for a send lane: ${instanceId}`);
    let hash = 0x811c9dc5;
    for (let i = 0; i < instanceId.length; i += 1) {
      hash ^= instanceId.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash % lanes;
  }

  /** The name of the lane queue that carries an instance's sends. */
  sendQueueOf(instanceId: string, lanes: number): string {
    return this.sendLane(this.laneOf(instanceId, lanes));
  }

  /** The Redis set of instances whose sends are paused (see SendQueue.pause). */
  pausedKey(): string {
    return `${this.bullPrefix}:send-paused`;
  }
}

/** Characters allowed in an instance id used inside a queue name (BullMQ refuses `:` in names and job ids). */
const NAME_PART = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * Names of every queue, and the BullMQ key prefix derived from the service's Redis prefix (`<prefix>:bull`), so
 * tests and deployments sharing a Redis stay apart. Keys look like `<prefix>:bull:send.<instanceId>:wait`.
 */
export class QueueNaming {
  /** The BullMQ `prefix` option. */
  readonly bullPrefix: string;

  constructor(readonly redisPrefix: string) {
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(redisPrefix)) throw new Error(`invalid Redis prefix: ${redisPrefix}`);
    this.bullPrefix = `${redisPrefix}:bull`;
  }

  /** The per-instance send queue: one queue per instance keeps its messages in order and gives it its own rate limit. */
  send(instanceId: string): string {
    if (!NAME_PART.test(instanceId)) throw new Error(`invalid instance id for a queue name: ${instanceId}`);
    return `send.${instanceId}`;
  }

  /** The instance id of a send queue name, or null when the name is not one. */
  instanceOfSendQueue(queueName: string): string | null {
    return queueName.startsWith('send.') ? queueName.slice('send.'.length) : null;
  }
}

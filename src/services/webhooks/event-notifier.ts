/**
 * Called after a transaction that appended webhook events has committed, so that deliveries and live
 * streams can wake up at once instead of waiting for their next poll. It is only a hint: the outbox rows
 * are the truth, and a lost notification delays an event by at most one poll interval.
 */
export interface EventNotifier {
  /** `deliveries`: how many webhook deliveries the events made (0 lets delivery runners sleep on); unknown wakes them. */
  notifyAppended(instanceId: string, lastSequence: number, deliveries?: number): void;
}

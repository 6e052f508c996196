import { Redis } from 'ioredis';

/**
 * A Redis connection for BullMQ: `maxRetriesPerRequest: null` as BullMQ requires for workers (commands wait for a
 * reconnect instead of failing). Producers and workers can share it; workers open their own blocking connection.
 */
export function createQueueConnection(url: string, options: { connectionName?: string } = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectionName: options.connectionName,
  });
}

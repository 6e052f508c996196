import { Redis } from 'ioredis';

/**
 * A Redis connection. BullMQ workers need their own connection with `maxRetriesPerRequest: null`; `lazyConnect` lets
 * the caller connect (and fail clearly) when it chooses.
 */
export function createRedis(url: string, options: { connectionName?: string } = {}): Redis {
  return new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 3,
    enableReadyCheck: true,
    connectionName: options.connectionName,
  });
}

import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { InstanceRuntime } from './instance-runtime.js';
import type { InstanceRuntimeOptions } from './runtime-types.js';
import { RedisAuthState } from './redis-auth-state.js';

export interface RuntimeFactoryOptions
  extends Omit<InstanceRuntimeOptions, 'instanceId' | 'authStore' | 'logger'> {
  redis: Redis;
  keyPrefix: string;
  /** ENCRYPTION_KEY, 32 bytes. */
  encryptionKey: Buffer;
  logger: Logger;
}

/** Builds `(instanceId) => InstanceRuntime` with a RedisAuthState per instance, for the supervisor. */
export function createRuntimeFactory(options: RuntimeFactoryOptions): (instanceId: string) => InstanceRuntime {
  const { redis, keyPrefix, encryptionKey, logger, ...runtimeOptions } = options;
  return (instanceId) =>
    new InstanceRuntime({
      ...runtimeOptions,
      instanceId,
      logger,
      authStore: new RedisAuthState({ redis, keyPrefix, instanceId, encryptionKey, logger }),
    });
}

/** Removes every auth key of an instance without a runtime (e.g. DELETE of an instance nobody runs). */
export async function clearInstanceAuth(options: {
  redis: Redis;
  keyPrefix: string;
  encryptionKey: Buffer;
  instanceId: string;
}): Promise<void> {
  await new RedisAuthState(options).clear();
}

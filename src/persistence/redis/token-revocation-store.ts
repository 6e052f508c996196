import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';

/** Revoked session tokens (by jti), kept until the token would have expired anyway. */
export class TokenRevocationStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async revoke(jti: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.keys.key('auth', 'revoked', jti), '1', 'EX', Math.max(1, Math.ceil(ttlSeconds)));
  }

  async isRevoked(jti: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.key('auth', 'revoked', jti))) === 1;
  }
}

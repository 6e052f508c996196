import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';

/** The QR an instance shows right now, as the API returns it. */
export interface StoredQrCode {
  /** `data:image/png;base64,...` */
  base64: string;
  /** The raw QR string (what a phone reads). */
  code: string;
  /** Seconds this QR lives. */
  expiry: number;
  /** `qr_attempt_<n>` within the current cycle. */
  attemptId: string;
  /** 1-based number of this code in the cycle. */
  attempt: number;
  /** How many codes a cycle has (QR_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** Milliseconds since the epoch at which it stops being valid. */
  expiresAt: number;
}

/**
 * The current QR per instance, in Redis with a TTL (until the QR expires), so the API of every node can show
 * it whichever node runs the socket: `<prefix>:qr:<instanceId>`.
 */
export class QrCodeStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  key(instanceId: string): string {
    return this.keys.key('qr', instanceId);
  }

  /** Keeps `qr` until its `expiresAt` (at least one second). */
  async set(instanceId: string, qr: StoredQrCode, now = Date.now()): Promise<void> {
    const ttlMs = Math.max(1000, qr.expiresAt - now);
    await this.redis.set(this.key(instanceId), JSON.stringify(qr), 'PX', ttlMs);
  }

  async get(instanceId: string): Promise<StoredQrCode | null> {
    const raw = await this.redis.get(this.key(instanceId));
    return raw ? (JSON.parse(raw) as StoredQrCode) : null;
  }

  async delete(instanceId: string): Promise<void> {
    await this.redis.del(this.key(instanceId));
  }
}

import { randomFillSync } from 'node:crypto';

/**
 * Random bytes from the CSPRNG, drawn 4 KiB at a time. Each `randomBytes(12)` is one call into OpenSSL, a few
 * microseconds on a quiet machine and several times that under load; a sent message needs five such draws of ours
 * (its ids, its event's ids, the auth state's IVs). Node does the same for `randomUUID()`.
 *
 * Every byte is handed out once: callers get a copy (or text made from the bytes), and the pool's bytes are
 * zeroed once read. The pool is allocated on first use (nothing at import time) and has nothing to close.
 */
const POOL_BYTES = 4096;
/** Larger draws go to the CSPRNG directly. */
const MAX_POOLED = 256;

let pool: Buffer | null = null;
let offset = POOL_BYTES;

function take(size: number): number {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`random byte count must be a non-negative integer, got ${size}`);
  pool ??= Buffer.allocUnsafeSlow(POOL_BYTES);
  if (offset + size > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const at = offset;
  offset += size;
  return at;
}

/** `size` random bytes in a buffer of their own. */
export function pooledRandomBytes(size: number): Buffer {
  if (size > MAX_POOLED) return randomFillSync(Buffer.allocUnsafe(size));
  const at = take(size);
  const out = Buffer.allocUnsafe(size);
  pool!.copy(out, 0, at, at + size);
  pool!.fill(0, at, at + size);
  return out;
}

/** `size` random bytes as text (`base64url`, `hex`…), without an intermediate buffer. */
export function pooledRandomText(size: number, encoding: 'base64url' | 'hex'): string {
  if (size > MAX_POOLED) return pooledRandomBytes(size).toString(encoding);
  const at = take(size);
  const text = pool!.toString(encoding, at, at + size);
  pool!.fill(0, at, at + size);
  return text;
}

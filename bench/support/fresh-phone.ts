import { randomBytes } from 'node:crypto';

/** A fresh Brazilian mobile number, digits only (random, so runs sharing a simulator never collide). */
export function freshPhone(): string {
  return `55119${String(randomBytes(4).readUInt32BE(0) % 100_000_000).padStart(8, '0')}`;
}

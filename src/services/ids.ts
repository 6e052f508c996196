import { randomBytes } from 'node:crypto';

/** `inst_` + 16 random url-safe characters (96 bits). */
export function newInstanceId(): string {
  return `inst_${randomBytes(12).toString('base64url')}`;
}

export const INSTANCE_ID_PATTERN = /^inst_[A-Za-z0-9_-]{12,64}$/;

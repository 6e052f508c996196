import { COMMON_PASSWORDS } from './common-passwords.js';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * Why a new password is refused, or null when it is acceptable: 8 to 128 characters, not only whitespace, not one
 * of the most common passwords (a list shipped with the product), and not the account's email (or its local part).
 */
export function passwordProblem(password: string, email?: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (password.trim() === '') return 'must not be only whitespace';
  const lowered = password.trim().toLowerCase();
  if (COMMON_PASSWORDS.has(lowered)) return 'is one of the most common passwords; choose another';
  if (email !== undefined) {
    const address = email.trim().toLowerCase();
    const local = address.split('@')[0] ?? '';
    if (lowered === address || (local.length >= PASSWORD_MIN_LENGTH && lowered === local)) return 'must not be the email address';
  }
  return null;
}

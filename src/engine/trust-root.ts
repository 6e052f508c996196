import { WA_CERT_DETAILS } from '@whiskeysockets/baileys';

/**
 * Replaces the root public key Baileys trusts for WhatsApp's Noise certificate chain
 * (`WA_CERT_DETAILS.PUBLIC_KEY`, process-global). Call it ONLY when WA_TRUST_ROOT_KEY is
 * configured (a simulator or a test); with no key given it does nothing, so production keeps
 * WhatsApp's own root. Returns true when a key was installed.
 */
export function trustRootKey(hex: string | undefined | null): boolean {
  if (hex === undefined || hex === null || hex.trim() === '') return false;
  const trimmed = hex.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(trimmed)) {
    throw new RangeError('WA_TRUST_ROOT_KEY must be 64 hex characters (a 32-byte Curve25519 public key)');
  }
  WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(trimmed, 'hex');
  return true;
}

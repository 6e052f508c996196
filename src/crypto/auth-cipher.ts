import { createCipheriv, createDecipheriv } from 'node:crypto';
import { pooledRandomBytes } from './random-pool.js';

/**
 * AES-256-GCM for values at rest. Format (versioned so the scheme can change later):
 * `v1.<base64(iv[12] | tag[16] | ciphertext)>`. A random IV per value; the storage
 * location is bound as additional authenticated data, so a value copied to another key
 * (or another instance) fails to decrypt instead of being accepted.
 */
export class AuthCipher {
  private static readonly VERSION = 'v1';
  private static readonly IV_BYTES = 12;
  private static readonly TAG_BYTES = 16;
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) {
      throw new RangeError(`ENCRYPTION_KEY must be 32 bytes, got ${key.length}`);
    }
    this.key = Buffer.from(key);
  }

  encrypt(plaintext: string, aad: string): string {
    return this.encryptBytes(Buffer.from(plaintext, 'utf8'), aad);
  }

  /** The same format for bytes (e.g. an encoded binary node). */
  encryptBytes(plaintext: Uint8Array, aad: string): string {
    const iv = pooledRandomBytes(AuthCipher.IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${AuthCipher.VERSION}.${Buffer.concat([iv, tag, body]).toString('base64')}`;
  }

  /** Throws on a wrong key, a tampered value, a moved value or an unknown format version. */
  decrypt(value: string, aad: string): string {
    return this.decryptBytes(value, aad).toString('utf8');
  }

  /** decrypt() for a value written by encryptBytes(). */
  decryptBytes(value: string, aad: string): Buffer {
    const dot = value.indexOf('.');
    const version = dot > 0 ? value.slice(0, dot) : '';
    if (version !== AuthCipher.VERSION) {
      throw new Error(`unknown auth value format ${JSON.stringify(version.slice(0, 8))}`);
    }
    const raw = Buffer.from(value.slice(dot + 1), 'base64');
    if (raw.length < AuthCipher.IV_BYTES + AuthCipher.TAG_BYTES) {
      throw new Error('auth value too short');
    }
    const iv = raw.subarray(0, AuthCipher.IV_BYTES);
    const tag = raw.subarray(AuthCipher.IV_BYTES, AuthCipher.IV_BYTES + AuthCipher.TAG_BYTES);
    const body = raw.subarray(AuthCipher.IV_BYTES + AuthCipher.TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  }
}

/**
 * Parses ENCRYPTION_KEY as 64 hex characters or base64 of 32 bytes. For the config layer;
 * throws a RangeError that names the expected formats (never the value).
 */
export function parseEncryptionKey(text: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const decoded = Buffer.from(trimmed, 'base64');
  if (decoded.length === 32) return decoded;
  throw new RangeError('ENCRYPTION_KEY must be 32 bytes: 64 hex characters or base64');
}

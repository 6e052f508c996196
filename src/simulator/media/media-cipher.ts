import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { getMediaKeys, type MediaType } from '@whiskeysockets/baileys';
import { SimulatorError } from '../errors.js';

/** WhatsApp media encryption: AES-256-CBC with keys expanded by HKDF from a 32-byte media key, plus a truncated HMAC. */
export interface EncryptedMedia {
  mediaKey: Buffer;
  /** Ciphertext followed by the 10-byte mac: what is uploaded and served. */
  encrypted: Buffer;
  fileSha256: Buffer;
  fileEncSha256: Buffer;
  fileLength: number;
}

const MAC_LENGTH = 10;

/** The mac/hash checks failed: the blob was not made with this media key and type, or was altered. */
export class MediaIntegrityError extends SimulatorError {
  constructor(message: string, details?: unknown) {
    super('MEDIA_INTEGRITY', 422, message, details);
    this.name = 'MediaIntegrityError';
  }
}

/**
 * Encrypts `plaintext` as WhatsApp does for `mediaType` (its HKDF info, e.g. 'WhatsApp Image Keys'):
 * iv, cipherKey, macKey = HKDF(mediaKey, 112)[0:16, 16:48, 48:80]; mac = HMAC-SHA256(macKey, iv || ciphertext)[0:10].
 */
export async function encryptMedia(
  plaintext: Buffer,
  mediaType: MediaType,
  mediaKey: Buffer = randomBytes(32),
): Promise<EncryptedMedia> {
  const { iv, cipherKey, macKey } = await mediaKeys(mediaKey, mediaType);
  const cipher = createCipheriv('aes-256-cbc', cipherKey, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const mac = createHmac('sha256', macKey).update(iv).update(ciphertext).digest().subarray(0, MAC_LENGTH);
  const encrypted = Buffer.concat([ciphertext, mac]);
  return {
    mediaKey,
    encrypted,
    fileSha256: createHash('sha256').update(plaintext).digest(),
    fileEncSha256: createHash('sha256').update(encrypted).digest(),
    fileLength: plaintext.length,
  };
}

/** Verifies the mac of `encrypted` (ciphertext + 10-byte mac) and decrypts it. Throws MediaIntegrityError. */
export async function decryptMedia(encrypted: Buffer, mediaKey: Uint8Array, mediaType: MediaType): Promise<Buffer> {
  if (encrypted.length < MAC_LENGTH + 16 || (encrypted.length - MAC_LENGTH) % 16 !== 0) {
    throw new MediaIntegrityError('encrypted media has an impossible length', { length: encrypted.length });
  }
  const { iv, cipherKey, macKey } = await mediaKeys(mediaKey, mediaType);
  const ciphertext = encrypted.subarray(0, encrypted.length - MAC_LENGTH);
  const mac = encrypted.subarray(encrypted.length - MAC_LENGTH);
  const expected = createHmac('sha256', macKey).update(iv).update(ciphertext).digest().subarray(0, MAC_LENGTH);
  if (!timingSafeEqual(mac, expected)) throw new MediaIntegrityError('media mac mismatch', { mediaType });
  try {
    const decipher = createDecipheriv('aes-256-cbc', cipherKey, iv);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (err) {
    throw new MediaIntegrityError('media decryption failed', { mediaType, cause: (err as Error).message });
  }
}

/** Baileys' HKDF expansion (its declared type has the fields optional). */
async function mediaKeys(mediaKey: Uint8Array, mediaType: MediaType): Promise<Record<'iv' | 'cipherKey' | 'macKey', Buffer>> {
  const { iv, cipherKey, macKey } = await getMediaKeys(mediaKey, mediaType);
  if (!iv || !cipherKey || !macKey) throw new MediaIntegrityError('could not derive media keys', { mediaType });
  return { iv: Buffer.from(iv), cipherKey: Buffer.from(cipherKey), macKey: Buffer.from(macKey) };
}

import { createHash, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { curve } from './libsignal.js';

/** A Curve25519 key pair in Baileys' shape: 32-byte private, 32-byte public (no 0x05 type byte). */
export interface KeyPair {
  private: Buffer;
  public: Buffer;
}

/** Public key with the 0x05 type byte that libsignal expects. */
export const signalPub = (pub: Uint8Array): Buffer =>
  pub.length === 33 ? Buffer.from(pub) : Buffer.concat([Buffer.from([5]), pub]);

/** Strips libsignal's 0x05 type byte. */
export const rawPub = (pub: Uint8Array): Buffer => (pub.length === 33 ? Buffer.from(pub.subarray(1)) : Buffer.from(pub));

const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** Builds a key pair from 32 private bytes (X25519 through node's crypto: fast, unlike pure-JS curve code). */
export function keyPairFromPrivate(priv: Uint8Array): KeyPair {
  const key = Buffer.from(priv);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, key]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { private: key, public: Buffer.from(spki.subarray(spki.length - 32)) };
}

/** A key pair derived from `seed` and `label` when a seed is given, random otherwise. */
export function deriveKeyPair(seed: string | undefined, label: string): KeyPair {
  if (seed === undefined) {
    const { pubKey, privKey } = curve.generateKeyPair();
    return { private: Buffer.from(privKey), public: rawPub(pubKey) };
  }
  return keyPairFromPrivate(createHash('sha256').update(`zap-sim:${seed}:${label}`).digest());
}

/** Deterministic bytes from seed + label (random without a seed). */
export function deriveBytes(seed: string | undefined, label: string, length: number): Buffer {
  if (seed === undefined) return randomBytes(length);
  return createHash('sha512').update(`zap-sim:${seed}:${label}`).digest().subarray(0, length);
}

export const sign = (priv: Uint8Array, message: Uint8Array): Buffer =>
  Buffer.from(curve.calculateSignature(Buffer.from(priv), Buffer.from(message)));

export const verify = (pub: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean => {
  try {
    curve.verifySignature(signalPub(pub), Buffer.from(message), Buffer.from(signature));
    return true;
  } catch {
    return false;
  }
};

export const sharedKey = (priv: Uint8Array, pub: Uint8Array): Buffer =>
  Buffer.from(curve.calculateAgreement(signalPub(pub), Buffer.from(priv)));

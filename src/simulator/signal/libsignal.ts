import { createRequire } from 'node:module';
import type * as LibSignal from 'libsignal';

/** libsignal is CommonJS with partial typings; load it once through require and type what we use. */
const require = createRequire(import.meta.url);

export interface CurveModule {
  generateKeyPair(): { pubKey: Buffer; privKey: Buffer };
  getPublicFromPrivateKey(privKey: Buffer): Buffer;
  calculateAgreement(pubKey: Buffer, privKey: Buffer): Buffer;
  calculateSignature(privKey: Buffer, message: Buffer): Buffer;
  verifySignature(pubKey: Buffer, message: Buffer, signature: Buffer): boolean;
}

export const curve = require('libsignal/src/curve.js') as CurveModule;
export const libsignal = require('libsignal') as typeof LibSignal;

import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import { Curve } from '@whiskeysockets/baileys';
import { LruMap } from '../lru-map.js';
import { bytesKey } from './bytes-key.js';

type SharedKey = typeof Curve.sharedKey;

/** DER headers of raw X25519 keys (SPKI public, PKCS#8 private), as libsignal's curve.js builds them. */
const PUBLIC_DER = Buffer.from([48, 42, 48, 5, 6, 3, 43, 101, 110, 3, 33, 0]);
const PRIVATE_DER = Buffer.from([48, 46, 2, 1, 0, 48, 5, 6, 3, 43, 101, 110, 4, 34, 4, 32]);

const original: SharedKey = Curve.sharedKey;
let installed = false;

/**
 * Process-global switch (call once, before sockets open; main.ts does it through createEngine): Baileys'
 * `Curve.sharedKey` (X25519) keeps the Node KeyObjects of the keys it saw last, instead of parsing them from DER at
 * every call as libsignal's `calculateAgreement` does (OpenSSL's decoder: ~0.8 ms a private key on this machine).
 *
 * Why: a Noise handshake makes three agreements: the client's ephemeral key with the server's ephemeral and static
 * keys, and the device's noise key with the server's ephemeral. The ephemeral keys come twice and the server's
 * static key is the same for every connection, so five of the six key parses were repeats; they were 8 % of a
 * restarting node's CPU (bench:recovery profile). Same inputs, same checks and the same `diffieHellman`, so the
 * same bytes out. Few private keys are kept (the handshakes in flight), and only as long as newer ones push them out.
 */
export function cacheAgreementKeys(capacity = { private: 16, public: 64 }): void {
  if (installed) return;
  installed = true;
  const privates = new LruMap<string, KeyObject>(capacity.private);
  const publics = new LruMap<string, KeyObject>(capacity.public);
  Curve.sharedKey = (privateKey, publicKey) => {
    // libsignal's checks: a 32-byte private key; a public key of 32 bytes or 33 with the 0x05 type byte.
    if (privateKey.byteLength !== 32) throw new Error(`Incorrect private key length: ${privateKey.byteLength}`);
    let raw: Uint8Array;
    if (publicKey.byteLength === 32) raw = publicKey;
    else if (publicKey.byteLength === 33 && publicKey[0] === 5) raw = publicKey.subarray(1);
    else throw new Error('Invalid public key');
    const privKey = bytesKey(privateKey);
    let privateObject = privates.get(privKey);
    if (!privateObject) {
      privateObject = createPrivateKey({ key: Buffer.concat([PRIVATE_DER, privateKey]), format: 'der', type: 'pkcs8' });
      privates.set(privKey, privateObject);
    }
    const pubKey = bytesKey(raw);
    let publicObject = publics.get(pubKey);
    if (!publicObject) {
      publicObject = createPublicKey({ key: Buffer.concat([PUBLIC_DER, raw]), format: 'der', type: 'spki' });
      publics.set(pubKey, publicObject);
    }
    return diffieHellman({ privateKey: privateObject, publicKey: publicObject });
  };
}

/** Tests: Baileys' own sharedKey again. */
export function forgetAgreementKeys(): void {
  Curve.sharedKey = original;
  installed = false;
}

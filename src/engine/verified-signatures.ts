import { Curve } from '@whiskeysockets/baileys';
import { LruMap } from '../lru-map.js';
import { bytesKey } from './bytes-key.js';

type Verify = typeof Curve.verify;

const original: Verify = Curve.verify;
let installed = false;

/**
 * Process-global switch (call once, before sockets open; main.ts does it through createEngine): Baileys'
 * `Curve.verify` remembers the signatures it found valid, so the same bytes are not verified again.
 *
 * Why: every Noise handshake verifies WhatsApp's certificate chain (the intermediate against the root key, the leaf
 * against the intermediate) with curve25519-js, pure JavaScript at ~7 ms a signature. The chain is the same for every
 * connection, so a node bringing 200 sockets back spent about a third of its CPU re-verifying two signatures it had
 * already checked (CPU profile of bench:recovery's restarted process). Verification is a pure function of
 * (public key, message, signature): a triple that verified once verifies again, and any other bytes (a different or
 * forged certificate) go through the full check. Failures are not remembered. The answers are Baileys' own, exactly
 * (tests/engine/verified-signatures.test.ts); note that in 7.0.0-rc14 they are `true` for any well-formed input, as
 * Baileys' `Curve.verify` ignores the boolean libsignal's `verifySignature` returns (it only catches throws).
 */
export function rememberVerifiedSignatures(capacity = 64): void {
  if (installed) return;
  installed = true;
  const valid = new LruMap<string, true>(capacity);
  Curve.verify = (pubKey, message, signature) => {
    const key = `${bytesKey(pubKey)}|${bytesKey(message)}|${bytesKey(signature)}`;
    if (valid.get(key)) return true;
    const ok = original(pubKey, message, signature);
    if (ok) valid.set(key, true);
    return ok;
  };
}

/** Tests: Baileys' own verify again. */
export function forgetVerifiedSignatures(): void {
  Curve.verify = original;
  installed = false;
}

import { proto } from '@whiskeysockets/baileys';
import { deriveKeyPair, sign, type KeyPair } from '../signal/keys.js';

/**
 * The simulator's Noise identity: a root key (what clients trust in place of WhatsApp's
 * `WA_CERT_DETAILS.PUBLIC_KEY`), an intermediate signed by the root, and a leaf for the server's
 * static key signed by the intermediate. Derived from `seed` so a restart keeps the root.
 */
export interface ServerIdentity {
  root: KeyPair;
  staticKey: KeyPair;
  /** Encoded `proto.CertChain`, sent encrypted in the server hello. */
  certChain: Uint8Array;
}

const ROOT_SERIAL = 0; // Baileys checks intermediate.issuerSerial === WA_CERT_DETAILS.SERIAL (0)
const INTERMEDIATE_SERIAL = 1;

export function createServerIdentity(seed?: string): ServerIdentity {
  const root = deriveKeyPair(seed, 'noise-root');
  const intermediate = deriveKeyPair(seed, 'noise-intermediate');
  const staticKey = deriveKeyPair(seed, 'noise-static');
  const now = Math.floor(Date.now() / 1000);
  const intermediateDetails = proto.CertChain.NoiseCertificate.Details.encode({
    serial: INTERMEDIATE_SERIAL,
    issuerSerial: ROOT_SERIAL,
    key: intermediate.public,
    notBefore: now - 86_400,
    notAfter: now + 10 * 365 * 86_400,
  }).finish();
  const leafDetails = proto.CertChain.NoiseCertificate.Details.encode({
    serial: 2,
    issuerSerial: INTERMEDIATE_SERIAL,
    key: staticKey.public,
    notBefore: now - 86_400,
    notAfter: now + 10 * 365 * 86_400,
  }).finish();
  const certChain = proto.CertChain.encode({
    intermediate: { details: intermediateDetails, signature: sign(root.private, intermediateDetails) },
    leaf: { details: leafDetails, signature: sign(intermediate.private, leafDetails) },
  }).finish();
  return { root, staticKey, certChain };
}

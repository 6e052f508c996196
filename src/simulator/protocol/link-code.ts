import { createCipheriv, createDecipheriv, hkdfSync, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { BinaryNode } from '@whiskeysockets/baileys';
import { SimulatorError } from '../errors.js';
import { deriveKeyPair, sharedKey, type KeyPair } from '../signal/keys.js';

const pbkdf2Async = promisify(pbkdf2);

/** PBKDF2-SHA256 of the code, 2<<16 iterations (Baileys' derivePairingCodeKey). */
export const codeKey = (code: string, salt: Buffer): Promise<Buffer> => pbkdf2Async(Buffer.from(code, 'utf8'), salt, 2 << 16, 32, 'sha256');

const ctr = (key: Buffer, iv: Buffer, data: Buffer): Buffer => {
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  return Buffer.concat([cipher.update(data), cipher.final()]);
};

const hkdf = (ikm: Buffer, info: string, salt: Buffer = Buffer.alloc(0)): Buffer => Buffer.from(hkdfSync('sha256', ikm, salt, info, 32));

/** `salt(32) | iv(16) | AES-CTR(pub)` under the code's key: how both sides wrap their link-code ephemeral key. */
export async function wrapWithCode(code: string, pub: Buffer): Promise<Buffer> {
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  return Buffer.concat([salt, iv, ctr(await codeKey(code, salt), iv, pub)]);
}

export async function unwrapWithCode(code: string, wrapped: Buffer): Promise<Buffer> {
  if (wrapped.length < 80) throw new SimulatorError('bad_link_code_hello', 400, 'wrapped companion key is too short');
  return ctr(await codeKey(code, wrapped.subarray(0, 32)), wrapped.subarray(32, 48), wrapped.subarray(48, 80));
}

/** What the companion said in `link_code_companion_reg stage=companion_hello`. */
export interface CompanionHello {
  /** The number the companion asked to link (`jid` attr, `PN@s.whatsapp.net`). */
  phone: string;
  wrappedEphemeral: Buffer;
  serverAuthKey: Buffer;
  platformDisplay: string;
}

export function parseCompanionHello(reg: BinaryNode): CompanionHello {
  const phone = (reg.attrs.jid ?? '').split('@')[0]?.split(':')[0] ?? '';
  if (!/^\d{5,20}$/.test(phone)) throw new SimulatorError('bad_link_code_hello', 400, 'companion_hello names no phone number');
  return {
    phone,
    wrappedEphemeral: childBytes(reg, 'link_code_pairing_wrapped_companion_ephemeral_pub'),
    serverAuthKey: childBytes(reg, 'companion_server_auth_key_pub'),
    platformDisplay: childBytes(reg, 'companion_platform_display').toString('utf8'),
  };
}

/**
 * The phone's half of one attempt at the link-code exchange, once the person typed `code`:
 * `primary_hello` (its ephemeral key wrapped with the code, its identity key), then it opens the companion's
 * key bundle from `companion_finish` and derives the ADV secret both sides then use for pair-success.
 */
export class PrimaryLinkAttempt {
  private readonly ephemeral: KeyPair = deriveKeyPair(undefined, 'link-code');
  private companionEphemeral?: Buffer;

  constructor(
    private readonly code: string,
    /** The phone's identity key pair (its ADV account key). */
    private readonly identity: KeyPair,
  ) {}

  /** The `link_code_companion_reg stage=primary_hello` child of the notification the companion gets. */
  async primaryHello(hello: CompanionHello, ref: Buffer): Promise<BinaryNode> {
    this.companionEphemeral = await unwrapWithCode(this.code, hello.wrappedEphemeral);
    return {
      tag: 'link_code_companion_reg',
      attrs: { stage: 'primary_hello' },
      content: [
        { tag: 'link_code_pairing_ref', attrs: {}, content: ref },
        { tag: 'primary_identity_pub', attrs: {}, content: this.identity.public },
        { tag: 'link_code_pairing_wrapped_primary_ephemeral_pub', attrs: {}, content: await wrapWithCode(this.code, this.ephemeral.public) },
      ],
    };
  }

  /**
   * Opens `companion_finish`: `salt(32) | iv(12) | AES-GCM(companionIdentity | primaryIdentity | random)` under
   * HKDF(DH(ephemerals), salt, 'link_code_pairing_key_bundle_encryption_key'). A wrong code gives the two sides
   * different ephemeral secrets, so the GCM tag fails here: that is how the phone learns the code was wrong.
   * Returns the ADV secret (base64) = HKDF(ephemeralShared | DH(identity, companionIdentity) | random, 'adv_secret').
   */
  finish(reg: BinaryNode, expectedIdentity: Buffer): string {
    if (!this.companionEphemeral) throw new SimulatorError('link_code_out_of_order', 409, 'companion_finish before primary_hello');
    const bundle = childBytes(reg, 'link_code_pairing_wrapped_key_bundle');
    const companionIdentity = childBytes(reg, 'companion_identity_public');
    const shared = sharedKey(this.ephemeral.private, this.companionEphemeral);
    let plain: Buffer;
    try {
      const key = hkdf(shared, 'link_code_pairing_key_bundle_encryption_key', bundle.subarray(0, 32));
      const decipher = createDecipheriv('aes-256-gcm', key, bundle.subarray(32, 44));
      decipher.setAuthTag(bundle.subarray(bundle.length - 16));
      plain = Buffer.concat([decipher.update(bundle.subarray(44, bundle.length - 16)), decipher.final()]);
    } catch {
      throw new SimulatorError('wrong_link_code', 400, "couldn't link device: the code does not match the one the companion shows");
    }
    const bundledCompanion = plain.subarray(0, 32);
    const bundledPrimary = plain.subarray(32, 64);
    const random = plain.subarray(64, 96);
    if (!bundledCompanion.equals(companionIdentity) || !companionIdentity.equals(expectedIdentity) || !bundledPrimary.equals(this.identity.public)) {
      throw new SimulatorError('link_code_identity_mismatch', 400, 'the key bundle names other identity keys than the registration');
    }
    const identityShared = sharedKey(this.identity.private, companionIdentity);
    return hkdf(Buffer.concat([shared, identityShared, random]), 'adv_secret').toString('base64');
  }
}

function childBytes(node: BinaryNode, tag: string): Buffer {
  const child = Array.isArray(node.content) ? node.content.find((c) => c.tag === tag) : undefined;
  if (child?.content instanceof Uint8Array) return Buffer.from(child.content);
  if (typeof child?.content === 'string') return Buffer.from(child.content, 'utf8');
  return Buffer.alloc(0);
}

/** The code as people type it: `ABCD-EFGH`, `abcdefgh`, spaces; Baileys' codes are 8 Crockford characters. */
export const normalizeLinkCode = (code: string): string => code.replace(/[\s-]/g, '').toUpperCase();

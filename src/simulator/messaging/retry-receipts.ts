import { encodeBigEndian, type BinaryNode } from '@whiskeysockets/baileys';
import { findChild } from '../protocol/pairing.js';
import type { PreKeyBundle } from '../signal/signal-party.js';

/**
 * WhatsApp's retry receipts, the way Signal sessions that went out of step heal: a recipient that cannot decrypt
 * a message answers `receipt type=retry` (with its registration id and, from the second try, a fresh prekey
 * bundle); the sender starts a new session and sends the same message id again. Without them, one crash between a
 * session update and its acknowledgement (a node killed mid-burst) leaves the two ends unable to read each other.
 */

/** The retry receipt a contact sends for a device's message it could not decrypt, with the contact's bundle. */
export function retryReceiptNode(input: { from: string; participant: string; id: string; t: string; count: number; bundle: PreKeyBundle }): BinaryNode {
  const { bundle } = input;
  const keys: BinaryNode[] = [
    { tag: 'type', attrs: {}, content: Buffer.from([5]) },
    { tag: 'identity', attrs: {}, content: bundle.identityKey },
  ];
  if (bundle.preKey) {
    keys.push({
      tag: 'key',
      attrs: {},
      content: [
        { tag: 'id', attrs: {}, content: encodeBigEndian(bundle.preKey.keyId, 3) },
        { tag: 'value', attrs: {}, content: bundle.preKey.publicKey },
      ],
    });
  }
  keys.push({
    tag: 'skey',
    attrs: {},
    content: [
      { tag: 'id', attrs: {}, content: encodeBigEndian(bundle.signedPreKey.keyId, 3) },
      { tag: 'value', attrs: {}, content: bundle.signedPreKey.publicKey },
      { tag: 'signature', attrs: {}, content: bundle.signedPreKey.signature },
    ],
  });
  return {
    tag: 'receipt',
    attrs: { from: input.from, participant: input.participant, id: input.id, type: 'retry', t: String(Math.floor(Date.now() / 1000)) },
    content: [
      { tag: 'retry', attrs: { count: String(input.count), id: input.id, t: input.t, v: '1' } },
      { tag: 'registration', attrs: {}, content: encodeBigEndian(bundle.registrationId, 4) },
      { tag: 'keys', attrs: {}, content: keys },
    ],
  };
}

/** Where a retry receipt sent to a device waits for its `ack class=receipt` (its id is the device's own message's). */
export const retryReceiptKey = (id: string): string => `retry-receipt:${id}`;

/** The prekey bundle a device put in its retry receipt (`keys`), or undefined when it sent none (first retry). */
export function bundleOfRetry(receipt: BinaryNode): PreKeyBundle | undefined {
  const keys = findChild(receipt, 'keys');
  const registration = bytes(findChild(receipt, 'registration'));
  const identity = bytes(findChild(keys, 'identity'));
  const skey = findChild(keys, 'skey');
  const skeyId = bytes(findChild(skey, 'id'));
  const skeyValue = bytes(findChild(skey, 'value'));
  const signature = bytes(findChild(skey, 'signature'));
  if (!keys || !registration || !identity || !skeyId || !skeyValue || !signature) return undefined;
  const key = findChild(keys, 'key');
  const keyId = bytes(findChild(key, 'id'));
  const keyValue = bytes(findChild(key, 'value'));
  return {
    registrationId: uint(registration),
    identityKey: identity,
    signedPreKey: { keyId: uint(skeyId), publicKey: skeyValue, signature },
    ...(keyId && keyValue ? { preKey: { keyId: uint(keyId), publicKey: keyValue } } : {}),
  };
}

function bytes(node: BinaryNode | undefined): Buffer | undefined {
  return node?.content instanceof Uint8Array ? Buffer.from(node.content) : undefined;
}

function uint(buf: Buffer): number {
  let n = 0;
  for (const b of buf) n = n * 256 + b;
  return n;
}

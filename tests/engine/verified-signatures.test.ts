import { Curve, generateSignalPubKey } from '@whiskeysockets/baileys';
import { forgetVerifiedSignatures, rememberVerifiedSignatures } from '../../src/engine/verified-signatures.js';

describe('rememberVerifiedSignatures', () => {
  const signer = Curve.generateKeyPair();
  const other = Curve.generateKeyPair();
  const message = Buffer.from('noise certificate details');
  const signature = Buffer.from(Curve.sign(signer.private, message));
  const flipped = (bytes: Buffer, at: number): Buffer => {
    const copy = Buffer.from(bytes);
    copy[at] = (copy[at] ?? 0) ^ 1;
    return copy;
  };
  const cases: Array<[string, Uint8Array, Uint8Array, Uint8Array]> = [
    ['the signed bytes', signer.public, message, signature],
    ['the signed bytes, type-prefixed key', generateSignalPubKey(signer.public), message, signature],
    ['another key', other.public, message, signature],
    ['another message', signer.public, Buffer.from('noise certificate detailz'), signature],
    ['a flipped signature bit', signer.public, message, flipped(signature, 10)],
    ['a short signature', signer.public, message, signature.subarray(1)],
  ];
  // Baileys' own answers, before the switch.
  const baileys = cases.map(([, pub, msg, sig]) => Curve.verify(pub, msg, sig));

  beforeAll(() => rememberVerifiedSignatures());
  afterAll(() => forgetVerifiedSignatures());

  it('answers exactly as Baileys does, first time and again, for valid and altered inputs', () => {
    for (let round = 0; round < 3; round++) {
      cases.forEach(([name, pub, msg, sig], i) => {
        expect({ name, valid: Curve.verify(pub, msg, sig) }).toEqual({ name, valid: baileys[i] });
      });
    }
    expect(baileys[0]).toBe(true);
    expect(baileys.at(-1)).toBe(false); // a signature that is not 64 bytes is refused
  });
});

import { Curve, generateSignalPubKey } from '@whiskeysockets/baileys';
import { cacheAgreementKeys, forgetAgreementKeys } from '../../src/engine/agreement-keys.js';

describe('cacheAgreementKeys', () => {
  const a = Curve.generateKeyPair();
  const b = Curve.generateKeyPair();
  const c = Curve.generateKeyPair();
  // libsignal's own agreement, before the switch.
  const expected = {
    ab: Curve.sharedKey(a.private, b.public),
    ac: Curve.sharedKey(a.private, c.public),
    cb: Curve.sharedKey(c.private, b.public),
  };

  beforeAll(() => cacheAgreementKeys());
  afterAll(() => forgetAgreementKeys());

  it('gives the same shared secrets as libsignal, for repeated and new key pairs', () => {
    for (let i = 0; i < 3; i++) {
      expect(Buffer.from(Curve.sharedKey(a.private, b.public))).toEqual(Buffer.from(expected.ab));
      expect(Buffer.from(Curve.sharedKey(a.private, c.public))).toEqual(Buffer.from(expected.ac));
      expect(Buffer.from(Curve.sharedKey(c.private, b.public))).toEqual(Buffer.from(expected.cb));
    }
    // Both sides of an agreement meet, and a 33-byte (type-prefixed) public key is the same key.
    expect(Buffer.from(Curve.sharedKey(b.private, a.public))).toEqual(Buffer.from(expected.ab));
    expect(Buffer.from(Curve.sharedKey(a.private, generateSignalPubKey(b.public)))).toEqual(Buffer.from(expected.ab));
  });

  it('refuses malformed keys as libsignal does', () => {
    expect(() => Curve.sharedKey(a.private.subarray(1), b.public)).toThrow();
    expect(() => Curve.sharedKey(a.private, b.public.subarray(1))).toThrow('Invalid public key');
    expect(() => Curve.sharedKey(a.private, Buffer.concat([Buffer.from([6]), b.public]))).toThrow('Invalid public key');
  });
});

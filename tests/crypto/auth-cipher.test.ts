import { randomBytes } from 'node:crypto';
import { AuthCipher, parseEncryptionKey } from '../../src/crypto/auth-cipher.js';

describe('AuthCipher', () => {
  const key = randomBytes(32);

  it('round-trips with a versioned format and a random IV per value', () => {
    const cipher = new AuthCipher(key);
    const a = cipher.encrypt('hello', 'i1:creds');
    const b = cipher.encrypt('hello', 'i1:creds');
    expect(a.startsWith('v1.')).toBe(true);
    expect(a).not.toBe(b);
    expect(cipher.decrypt(a, 'i1:creds')).toBe('hello');
  });

  it('fails with another key, another location or a tampered value', () => {
    const value = new AuthCipher(key).encrypt('secret', 'i1:creds');
    expect(() => new AuthCipher(randomBytes(32)).decrypt(value, 'i1:creds')).toThrow();
    expect(() => new AuthCipher(key).decrypt(value, 'i2:creds')).toThrow();
    const tampered = value.slice(0, -4) + (value.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(() => new AuthCipher(key).decrypt(tampered, 'i1:creds')).toThrow();
    expect(() => new AuthCipher(key).decrypt('v9.abc', 'i1:creds')).toThrow(/format/);
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => new AuthCipher(randomBytes(16))).toThrow(/32 bytes/);
  });

  it('parses ENCRYPTION_KEY as hex or base64', () => {
    expect(parseEncryptionKey(key.toString('hex')).equals(key)).toBe(true);
    expect(parseEncryptionKey(key.toString('base64')).equals(key)).toBe(true);
    expect(() => parseEncryptionKey('short')).toThrow(/32 bytes/);
  });
});

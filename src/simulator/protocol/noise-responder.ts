import { createCipheriv, createDecipheriv, createHash, hkdfSync } from 'node:crypto';
import { proto } from '@whiskeysockets/baileys';
import { deriveKeyPair, sharedKey, type KeyPair } from '../signal/keys.js';
import type { ServerIdentity } from './cert-chain.js';

const NOISE_MODE = Buffer.from('Noise_XX_25519_AESGCM_SHA256\0\0\0\0'); // exactly 32 bytes: used as is
const EMPTY = Buffer.alloc(0);

const iv = (counter: number): Buffer => {
  const out = Buffer.alloc(12);
  out.writeUInt32BE(counter >>> 0, 8);
  return out;
};

function gcmEncrypt(key: Buffer, counter: number, plaintext: Uint8Array, aad: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, iv(counter));
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function gcmDecrypt(key: Buffer, counter: number, ciphertext: Uint8Array, aad: Buffer): Buffer {
  const data = Buffer.from(ciphertext);
  const decipher = createDecipheriv('aes-256-gcm', key, iv(counter));
  decipher.setAAD(aad);
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]);
}

const hkdf = (ikm: Buffer, salt: Buffer): [Buffer, Buffer] => {
  const out = Buffer.from(hkdfSync('sha256', ikm, salt, EMPTY, 64));
  return [out.subarray(0, 32), out.subarray(32)];
};

/** Transport keys after the handshake: separate read and write counters, empty AAD. */
export class NoiseTransport {
  private readCounter = 0;
  private writeCounter = 0;

  constructor(
    private readonly encKey: Buffer,
    private readonly decKey: Buffer,
  ) {}

  encrypt(plaintext: Uint8Array): Buffer {
    return gcmEncrypt(this.encKey, this.writeCounter++, plaintext, EMPTY);
  }

  decrypt(ciphertext: Uint8Array): Buffer {
    return gcmDecrypt(this.decKey, this.readCounter++, ciphertext, EMPTY);
  }
}

/**
 * Noise XX as WhatsApp Web runs it, responder side (mirrors Baileys' Utils/noise-handler.js).
 * Step 1: `respondToHello(clientHello)` returns the server hello to send.
 * Step 2: `finish(clientFinish)` returns the client's static key, its ClientPayload and the transport.
 */
export class NoiseResponder {
  private hash: Buffer = NOISE_MODE;
  private salt: Buffer = NOISE_MODE;
  private key: Buffer = NOISE_MODE;
  private counter = 0;
  private readonly ephemeral: KeyPair;

  constructor(
    private readonly identity: ServerIdentity,
    introHeader: Uint8Array,
  ) {
    this.ephemeral = deriveKeyPair(undefined, 'ephemeral');
    this.mixHash(introHeader);
  }

  respondToHello(message: Uint8Array): Uint8Array {
    const hello = proto.HandshakeMessage.decode(message).clientHello;
    if (!hello?.ephemeral || hello.ephemeral.length !== 32) throw new Error('missing client ephemeral key');
    const clientEphemeral = Buffer.from(hello.ephemeral);
    this.mixHash(clientEphemeral);
    this.mixHash(this.ephemeral.public);
    this.mixKey(sharedKey(this.ephemeral.private, clientEphemeral));
    const staticEnc = this.encrypt(this.identity.staticKey.public);
    this.mixKey(sharedKey(this.identity.staticKey.private, clientEphemeral));
    const payloadEnc = this.encrypt(this.identity.certChain);
    return proto.HandshakeMessage.encode({
      serverHello: { ephemeral: this.ephemeral.public, static: staticEnc, payload: payloadEnc },
    }).finish();
  }

  finish(message: Uint8Array): { clientStatic: Buffer; payload: proto.ClientPayload; transport: NoiseTransport } {
    const finish = proto.HandshakeMessage.decode(message).clientFinish;
    if (!finish?.static || !finish.payload) throw new Error('missing client finish');
    const clientStatic = this.decrypt(finish.static);
    this.mixKey(sharedKey(this.ephemeral.private, clientStatic));
    const payload = proto.ClientPayload.decode(this.decrypt(finish.payload));
    const [clientWrite, clientRead] = hkdf(EMPTY, this.salt);
    return { clientStatic, payload, transport: new NoiseTransport(clientRead, clientWrite) };
  }

  private mixHash(data: Uint8Array): void {
    this.hash = createHash('sha256').update(this.hash).update(data).digest();
  }

  private mixKey(dh: Buffer): void {
    const [salt, key] = hkdf(dh, this.salt);
    this.salt = salt;
    this.key = key;
    this.counter = 0;
  }

  private encrypt(plaintext: Uint8Array): Buffer {
    const out = gcmEncrypt(this.key, this.counter++, plaintext, this.hash);
    this.mixHash(out);
    return out;
  }

  private decrypt(ciphertext: Uint8Array): Buffer {
    const out = gcmDecrypt(this.key, this.counter++, ciphertext, this.hash);
    this.mixHash(ciphertext);
    return out;
  }
}

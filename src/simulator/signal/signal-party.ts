import { encodeBigEndian, type BinaryNode } from '@whiskeysockets/baileys';
import { PartySignalStore, type SignedPreKey } from './contact-signal-store.js';
import { deriveBytes, deriveKeyPair, sign, signalPub, type KeyPair } from './keys.js';
import { libsignal } from './libsignal.js';

/** What a peer needs to start a Signal session with a device: WhatsApp's prekey bundle. */
export interface PreKeyBundle {
  registrationId: number;
  identityKey: Buffer; // 32 bytes
  signedPreKey: { keyId: number; publicKey: Buffer; signature: Buffer };
  preKey?: { keyId: number; publicKey: Buffer };
}

export type CipherType = 'pkmsg' | 'msg';

/** One end of Signal sessions: a simulated contact, or the device 0 (the phone) of a linked number. */
export class SignalParty {
  readonly identity: KeyPair;
  readonly registrationId: number;
  readonly signedPreKey: SignedPreKey;
  private readonly preKeys = new Map<number, KeyPair>();
  private nextPreKeyId = 1;
  /** One-time prekeys not handed out yet (handed-out ones stay in `preKeys` until used). */
  private readonly unissued: number[] = [];
  private readonly store: PartySignalStore;
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(seed: string | undefined, label: string, identity?: KeyPair, preKeyCount = 20) {
    this.identity = identity ?? deriveKeyPair(seed, `${label}:identity`);
    this.registrationId = (deriveBytes(seed, `${label}:regid`, 2).readUInt16BE(0) & 0x3fff) || 1;
    const skey = deriveKeyPair(undefined, 'skey');
    this.signedPreKey = { keyId: 1, keyPair: skey, signature: sign(this.identity.private, signalPub(skey.public)) };
    this.store = new PartySignalStore(this.identity, this.registrationId, this.signedPreKey, this.preKeys);
    this.refillPreKeys(preKeyCount);
  }

  refillPreKeys(count: number): void {
    for (let i = 0; i < count; i++) {
      const id = this.nextPreKeyId++;
      this.preKeys.set(id, deriveKeyPair(undefined, 'prekey'));
      this.unissued.push(id);
    }
  }

  /** Bundle for `encrypt get key`; consumes a one-time prekey (refilled when low). */
  takeBundle(): PreKeyBundle {
    if (this.unissued.length < 5) this.refillPreKeys(20);
    const id = this.unissued.shift();
    const pair = id === undefined ? undefined : this.preKeys.get(id);
    return {
      registrationId: this.registrationId,
      identityKey: this.identity.public,
      signedPreKey: {
        keyId: this.signedPreKey.keyId,
        publicKey: this.signedPreKey.keyPair.public,
        signature: this.signedPreKey.signature,
      },
      preKey: id !== undefined && pair ? { keyId: id, publicKey: pair.public } : undefined,
    };
  }

  /** Runs `task` after every earlier task for the same address (keeps pkmsg/msg order per peer). */
  withLock<T>(address: SignalAddress, task: () => Promise<T>): Promise<T> {
    const key = `${address.name}.${address.device}`;
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(key, settled);
    void settled.then(() => {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    });
    return next;
  }

  hasSession(address: SignalAddress): boolean {
    return this.store.hasOpenSession(`${address.name}.${address.device}`);
  }

  /** Encrypts for `address`, starting a session from `bundle()` when none is open. */
  async encrypt(address: SignalAddress, plaintext: Uint8Array, bundle: () => PreKeyBundle | undefined): Promise<{ type: CipherType; ciphertext: Buffer }> {
    const addr = new libsignal.ProtocolAddress(address.name, address.device);
    if (!this.hasSession(address)) {
      const b = bundle();
      if (!b) throw new Error(`no prekey bundle for ${address.name}.${address.device}`);
      await this.startSession(addr, b);
    }
    const { type, body } = await new libsignal.SessionCipher(this.store, addr).encrypt(plaintext);
    return { type: type === 3 ? 'pkmsg' : 'msg', ciphertext: Buffer.from(body, 'binary') };
  }

  /**
   * A new outgoing session from `bundle` (the old ones stay in the record, closed, for messages still under way):
   * what a sender does when the peer asks for a message again (a retry receipt) because it could not decrypt it.
   */
  async restartSession(address: SignalAddress, bundle: PreKeyBundle): Promise<void> {
    await this.startSession(new libsignal.ProtocolAddress(address.name, address.device), bundle);
  }

  private async startSession(addr: InstanceType<typeof libsignal.ProtocolAddress>, b: PreKeyBundle): Promise<void> {
    await new libsignal.SessionBuilder(this.store, addr).initOutgoing({
      registrationId: b.registrationId,
      identityKey: signalPub(b.identityKey),
      signedPreKey: { keyId: b.signedPreKey.keyId, publicKey: signalPub(b.signedPreKey.publicKey), signature: b.signedPreKey.signature },
      preKey: b.preKey ? { keyId: b.preKey.keyId, publicKey: signalPub(b.preKey.publicKey) } : (undefined as never),
    });
  }

  async decrypt(address: SignalAddress, type: CipherType, ciphertext: Uint8Array): Promise<Buffer> {
    const cipher = new libsignal.SessionCipher(this.store, new libsignal.ProtocolAddress(address.name, address.device));
    return type === 'pkmsg' ? cipher.decryptPreKeyWhisperMessage(ciphertext) : cipher.decryptWhisperMessage(ciphertext);
  }
}

export interface SignalAddress {
  name: string;
  device: number;
}

/** The `user` node of an `encrypt get key` answer. */
export function bundleNode(jid: string, bundle: PreKeyBundle): BinaryNode {
  const content: BinaryNode[] = [
    { tag: 'registration', attrs: {}, content: encodeBigEndian(bundle.registrationId, 4) },
    { tag: 'type', attrs: {}, content: Buffer.from([5]) },
    { tag: 'identity', attrs: {}, content: bundle.identityKey },
    {
      tag: 'skey',
      attrs: {},
      content: [
        { tag: 'id', attrs: {}, content: encodeBigEndian(bundle.signedPreKey.keyId, 3) },
        { tag: 'value', attrs: {}, content: bundle.signedPreKey.publicKey },
        { tag: 'signature', attrs: {}, content: bundle.signedPreKey.signature },
      ],
    },
  ];
  if (bundle.preKey) {
    content.push({
      tag: 'key',
      attrs: {},
      content: [
        { tag: 'id', attrs: {}, content: encodeBigEndian(bundle.preKey.keyId, 3) },
        { tag: 'value', attrs: {}, content: bundle.preKey.publicKey },
      ],
    });
  }
  return { tag: 'user', attrs: { jid }, content };
}

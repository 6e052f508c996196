import type { SessionRecord, SignalStorage } from 'libsignal';
import { signalPub, type KeyPair } from './keys.js';

export interface SignedPreKey {
  keyId: number;
  keyPair: KeyPair;
  signature: Buffer;
}

/** In-memory libsignal storage for one simulated party (a contact or a phone's device 0). */
export class PartySignalStore implements SignalStorage {
  private readonly sessions = new Map<string, SessionRecord>();

  constructor(
    private readonly identity: KeyPair,
    private readonly registrationId: number,
    private readonly signedPreKey: SignedPreKey,
    private readonly preKeys: Map<number, KeyPair>,
  ) {}

  hasOpenSession(id: string): boolean {
    return !!this.sessions.get(id)?.haveOpenSession();
  }

  async loadSession(id: string): Promise<SessionRecord | undefined> {
    return this.sessions.get(id);
  }

  async storeSession(id: string, session: SessionRecord): Promise<void> {
    this.sessions.set(id, session);
  }

  isTrustedIdentity(): boolean {
    return true; // like WhatsApp: identity changes are accepted and re-keyed
  }

  async loadPreKey(id: number | string): Promise<{ privKey: Buffer; pubKey: Buffer } | undefined> {
    const pair = this.preKeys.get(Number(id));
    return pair ? { privKey: pair.private, pubKey: signalPub(pair.public) } : undefined;
  }

  removePreKey(id: number): void {
    this.preKeys.delete(Number(id));
  }

  loadSignedPreKey(): { privKey: Buffer; pubKey: Buffer } {
    return { privKey: this.signedPreKey.keyPair.private, pubKey: signalPub(this.signedPreKey.keyPair.public) };
  }

  getOurRegistrationId(): number {
    return this.registrationId;
  }

  getOurIdentity(): { privKey: Buffer; pubKey: Buffer } {
    return { privKey: this.identity.private, pubKey: signalPub(this.identity.public) };
  }
}

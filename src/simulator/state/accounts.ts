import { createHash } from 'node:crypto';
import type { BinaryNode } from '@whiskeysockets/baileys';
import { deriveBytes, deriveKeyPair } from '../signal/keys.js';
import { SenderKeys } from '../signal/sender-keys.js';
import { SignalParty, type PreKeyBundle, type SignalAddress } from '../signal/signal-party.js';
import type { InboxEntry } from '../messaging/message-content.js';
import type { HistoryInput } from '../media/index.js';

/** Stable LID user for a phone number (the same number always gets the same LID). */
export function lidUserFor(phone: string): string {
  const n = BigInt('0x' + createHash('sha256').update(`zap-sim-lid:${phone}`).digest('hex').slice(0, 16));
  return (100_000_000_000_000n + (n % 899_999_999_999_999n)).toString();
}

export const pnJid = (user: string, device = 0): string => (device ? `${user}:${device}@s.whatsapp.net` : `${user}@s.whatsapp.net`);
export const lidJid = (user: string, device = 0): string => (device ? `${user}:${device}@lid` : `${user}@lid`);

/** Another WhatsApp user with a real Signal identity; the tests and the control API speak for it. */
export class Contact {
  readonly lid: string;
  readonly party: SignalParty;
  readonly inbox: InboxEntry[] = [];
  /** Receipts the linked devices sent for this contact's messages. */
  readonly receiptsIn: { id: string; from: string; type: string; timestamp: number }[] = [];
  /** Chat states the linked devices sent to this contact. */
  readonly presenceIn: { from: string; state: string; timestamp: number }[] = [];
  /** Online or not, and since when (seconds): what a device that subscribes gets at once. */
  presence: { state: 'available' | 'unavailable'; lastSeen: number } = { state: 'unavailable', lastSeen: Math.floor(Date.now() / 1000) };
  /** Group sender keys: its own chain per group and those the devices distributed to it. */
  readonly senderKeys = new SenderKeys();
  /** `group|device jid` pairs that already got this contact's sender key (WhatsApp's sender-key memory). */
  readonly senderKeyHolders = new Set<string>();
  /** How the contact's 1:1 stanzas name it: `pn` (from PN, sender_lid) or `lid` (from LID, sender_pn). */
  addressing: 'pn' | 'lid' = 'pn';
  /** Retry receipts this contact sent per message id (a device's message it could not decrypt). */
  readonly retriesSent = new Map<string, number>();

  constructor(
    readonly phone: string,
    public name: string,
    seed: string | undefined,
  ) {
    this.lid = lidUserFor(phone);
    this.party = new SignalParty(seed, `contact:${phone}`);
  }

  get jid(): string {
    return pnJid(this.phone);
  }

  get lidJid(): string {
    return lidJid(this.lid);
  }
}

export interface PreKeyUpload {
  registrationId: number;
  identityKey: Buffer;
  signedPreKey: { keyId: number; publicKey: Buffer; signature: Buffer };
  preKeys: Map<number, Buffer>;
}

/** A companion device linked to a phone (what Baileys is). Keeps the bundle the device uploaded. */
export class LinkedDevice {
  registrationId?: number;
  identityKey?: Buffer;
  signedPreKey?: { keyId: number; publicKey: Buffer; signature: Buffer };
  /** One-time prekeys uploaded and not yet handed out. */
  readonly preKeys = new Map<number, Buffer>();
  platform?: string;
  /** Set while a socket of this device is logged in. */
  connection?: {
    sendNode(node: BinaryNode): void;
    kick(reason: KickReason): void;
    readonly connected: boolean;
    /** Contact numbers this socket subscribed to (presenceSubscribe), with the jid it used. */
    readonly presenceSubscriptions: ReadonlyMap<string, string>;
  };
  /** Stanza builders for messages that arrived while the device was offline; run at next login. */
  readonly pending: (() => Promise<BinaryNode | undefined>)[] = [];
  /** Message stanzas sent to the live connection and not yet receipted/acked; requeued if it drops. */
  readonly inflight = new Map<string, BinaryNode>();
  /** What contacts sent this device lately, by id: encrypted again and resent when the device asks (retry receipt). */
  readonly fromContacts = new Map<string, { contact: Contact; build: () => Promise<BinaryNode> }>();
  lastSeen?: number;
  /** Set at pairing: the first login gets the phone's history-sync notifications. */
  historyPending = false;

  constructor(
    readonly phone: Phone,
    readonly id: number,
    public noiseKey: Buffer,
  ) {}

  get jid(): string {
    return pnJid(this.phone.number, this.id);
  }

  get lidJid(): string {
    return lidJid(this.phone.lid, this.id);
  }

  get address(): SignalAddress {
    return { name: this.phone.lid, device: this.id };
  }

  get connected(): boolean {
    return !!this.connection?.connected;
  }

  /** The device acknowledged a message (receipt or ack): the server may forget it. */
  settle(id: string): void {
    this.inflight.delete(id);
  }

  /** The connection dropped: unacknowledged messages go back to the front of the offline queue. */
  requeueInflight(): void {
    const nodes = [...this.inflight.values()];
    this.inflight.clear();
    this.pending.unshift(...nodes.map((node) => async () => node));
  }

  applyUpload(upload: PreKeyUpload): void {
    this.registrationId = upload.registrationId;
    this.identityKey = upload.identityKey;
    this.signedPreKey = upload.signedPreKey;
    for (const [id, key] of upload.preKeys) this.preKeys.set(id, key);
  }

  takeBundle(): PreKeyBundle | undefined {
    if (this.registrationId === undefined || !this.identityKey || !this.signedPreKey) return undefined;
    const first = this.preKeys.entries().next().value as [number, Buffer] | undefined;
    if (first) this.preKeys.delete(first[0]);
    return {
      registrationId: this.registrationId,
      identityKey: this.identityKey,
      signedPreKey: this.signedPreKey,
      preKey: first ? { keyId: first[0], publicKey: first[1] } : undefined,
    };
  }
}

export type KickReason = 'logged_out' | 'banned' | 'replaced' | 'restart' | 'unavailable' | 'network';

export interface PhoneFaults {
  /** The next message a device of this phone sends is answered with an ack carrying this error. */
  nextAckError?: number;
  /** Delay before acking each message from this phone's devices. */
  ackDelayMs?: number;
  /** Delay before answering each iq from this phone's devices. */
  iqDelayMs?: number;
}

/** A linked number: the simulated phone (its account key, its own device 0) and its companions. */
export class Phone {
  readonly lid: string;
  /** Device 0: its identity is the ADV account signature key, as on a real phone. */
  readonly party: SignalParty;
  readonly devices = new Map<number, LinkedDevice>();
  /** Device ids removed by logout; their logins fail with 401. */
  readonly removedDevices = new Set<number>();
  /** deviceSentMessage copies the phone decrypted. */
  readonly sent: { id: string; destinationJid: string; from: string; timestamp: number }[] = [];
  nextDeviceId = 1;
  banned = false;
  faults: PhoneFaults = {};
  /** What the next pairing syncs (POST /control/phones/{phone}/history). */
  history?: HistoryInput;
  /** The app-state sync key the phone shares with its companions after pairing (protocol/app-state.ts). */
  readonly appStateKey: { keyId: Buffer; keyData: Buffer };
  /** Numbers this account blocked (updateBlockStatus or the control API): their 1:1 messages are not delivered. */
  readonly blocked = new Set<string>();
  /** `presence available|unavailable` the devices sent (sendPresenceUpdate without a jid), oldest first. */
  readonly presenceLog: { device: string; state: 'available' | 'unavailable'; name?: string; timestamp: number }[] = [];

  constructor(
    readonly number: string,
    public name: string,
    seed: string | undefined,
  ) {
    this.lid = lidUserFor(number);
    this.party = new SignalParty(seed, `phone:${number}`, deriveKeyPair(seed, `phone:${number}:account`));
    this.appStateKey = { keyId: deriveBytes(seed, `phone:${number}:app-state-key-id`, 6), keyData: deriveBytes(seed, `phone:${number}:app-state-key`, 32) };
  }

  get jid(): string {
    return pnJid(this.number);
  }

  get lidJid(): string {
    return lidJid(this.lid);
  }

  get accountKey() {
    return this.party.identity;
  }
}

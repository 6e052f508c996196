import type { Logger } from 'pino';
import { Contact, Phone, type LinkedDevice } from './accounts.js';
import type { ServerIdentity } from '../protocol/cert-chain.js';
import { SimulatorError } from '../errors.js';
import { GroupDirectory } from '../groups/groups.js';
import { MessageBook } from '../messaging/message-book.js';
import { ProfileDirectory } from '../profiles/profiles.js';
import type { ContactMediaInput, HistoryInput } from '../media/index.js';
import type { BinaryNode, proto } from '@whiskeysockets/baileys';

export type Account = { kind: 'contact'; contact: Contact } | { kind: 'phone'; phone: Phone };

/** What the core needs from the media module (src/simulator/media); SimulatorMedia implements it. */
export interface MediaHooks {
  /** The `media_conn` child answering `iq xmlns=w:m`. */
  mediaConnNode(): BinaryNode;
  /** A contact's media as an encrypted, stored, ready-to-send message. */
  buildMessage(media: ContactMediaInput): Promise<proto.IMessage>;
  /** What a contact gets out of a media message a device sent (downloaded, checked, decrypted). */
  decrypt(message: proto.IMessage): Promise<{ sha256: string; size: number; mimetype?: string; caption?: string; fileName?: string }>;
  /** History-sync notifications a phone sends its freshly paired device. */
  historyNotifications(input: HistoryInput, options: { lidForPhone?: (phone: string) => string | undefined }): Promise<proto.Message[]>;
  readonly caFile: string;
  close(): Promise<void>;
}

/** What the core needs from the group module (group-relay.ts, group-iq.ts). */
export interface GroupHooks {
  /** Answers `iq xmlns=w:g2` (metadata, participating, create, subject…). */
  answerIq(device: LinkedDevice, iq: BinaryNode): BinaryNode;
  /** A device sent a message to a group jid: route it to every member. */
  onDeviceMessage(device: LinkedDevice, stanza: BinaryNode): Promise<void>;
}

/** What the core needs from the profile module (profiles/profile-actions.ts). */
export interface ProfileHooks {
  /** Answers `w:profile:picture`, `status`, `w:biz` and `blocklist` iqs. */
  answerIq(device: LinkedDevice, iq: BinaryNode): BinaryNode;
}

/** A connection waiting in pairing, found by one of its QR refs. */
export interface PairingTarget {
  scan(phone: Phone, qrNoiseKeyB64: string, qrIdentityB64: string, qrAdvSecretB64: string): { jid: string; lid: string };
  /** The person typed the link code the companion shows on `phone` (resolves once pair-success is sent). */
  typeLinkCode(phone: Phone, code: string): Promise<{ jid: string; lid: string }>;
}

/** Everything the simulator knows: linked numbers (phones), contacts, groups, the QR refs being shown and the link codes awaited. */
export class SimulatorState {
  readonly phones = new Map<string, Phone>();
  readonly contacts = new Map<string, Contact>();
  readonly groups = new GroupDirectory();
  /** Messages contacts sent or decrypted: what replies quote, reactions/edits/revokes target and votes are for. */
  readonly book = new MessageBook();
  /** Pictures, about texts and business profiles, by phone number (and group pictures by group jid). */
  readonly profiles = new ProfileDirectory();
  /** Where pictures are served: `http://host:port/pictures` (set once the server listens). */
  pictureBaseUrl = 'http://127.0.0.1/pictures';
  private readonly byLid = new Map<string, Account>();
  readonly qrRefs = new Map<string, PairingTarget>();
  /** Companions waiting for a link code, by the phone number they asked for (requestPairingCode). */
  readonly linkCodes = new Map<string, PairingTarget>();

  constructor(private readonly seed: string | undefined) {}

  phone(number: string): Phone | undefined {
    return this.phones.get(number);
  }

  getOrCreatePhone(number: string, name?: string): Phone {
    let phone = this.phones.get(number);
    if (!phone) {
      if (this.contacts.has(number)) throw new SimulatorError('conflict', 409, `${number} is a contact, not a linked number`);
      phone = new Phone(number, name ?? number, this.seed);
      this.phones.set(number, phone);
      this.byLid.set(phone.lid, { kind: 'phone', phone });
    } else if (name) {
      phone.name = name;
    }
    return phone;
  }

  createContact(number: string, name: string): Contact {
    if (this.phones.has(number)) throw new SimulatorError('conflict', 409, `${number} is a linked number`);
    const existing = this.contacts.get(number);
    if (existing) {
      existing.name = name;
      return existing;
    }
    const contact = new Contact(number, name, this.seed);
    this.contacts.set(number, contact);
    this.byLid.set(contact.lid, { kind: 'contact', contact });
    return contact;
  }

  contact(number: string): Contact {
    const contact = this.contacts.get(number);
    if (!contact) throw new SimulatorError('contact_not_found', 404, `no contact ${number}`);
    return contact;
  }

  /** The phone number behind a PN or LID jid (device part ignored), if the simulator knows the account. */
  numberOf(jid: string | undefined): string | undefined {
    const [userPart, server] = (jid ?? '').split('@');
    const user = userPart?.split(':')[0] ?? '';
    if (!user || !server) return undefined;
    const account = this.resolve(user, server);
    if (!account) return undefined;
    return account.kind === 'contact' ? account.contact.phone : account.phone.number;
  }

  /** Finds who a jid user belongs to, by PN (`s.whatsapp.net`) or LID (`lid`). */
  resolve(user: string, server: string): Account | undefined {
    if (server === 'lid') return this.byLid.get(user);
    const contact = this.contacts.get(user);
    if (contact) return { kind: 'contact', contact };
    const phone = this.phones.get(user);
    return phone ? { kind: 'phone', phone } : undefined;
  }
}

export interface SimulatorContext {
  seed?: string;
  identity: ServerIdentity;
  logger: Logger;
  state: SimulatorState;
  media?: MediaHooks;
  groups?: GroupHooks;
  profiles?: ProfileHooks;
}

/** A typed client for the simulator's control API, for e2e tests and benchmarks. */
import type { GroupView } from '../groups/group-control.js';
import type { ParticipantResult as ParticipantResultView } from '../groups/group-actions.js';
import type { ProfileView } from '../profiles/profile-control.js';
import type { BusinessProfile } from '../profiles/profiles.js';
import type { InboxEntry } from '../messaging/message-content.js';
import type { MessageKindBody } from '../messaging/kind-schemas.js';

/**
 * One message a contact sends (exactly one of text, media, location, contacts, poll, vote, reaction, edit, revoke),
 * plus optional quotedId/quotedParticipant, mentions (phones) and forwarded. See messaging/kind-schemas.ts.
 */
export type MessageKind = Omit<MessageKindBody, 'media'> & { media?: MediaInput };

export type KickReason = 'logged_out' | 'banned' | 'replaced' | 'restart' | 'unavailable' | 'network';
export type Addressing = 'pn' | 'lid';
export type PresenceState = 'composing' | 'recording' | 'paused' | 'available' | 'unavailable';

export interface ContactInfo {
  phone: string;
  name: string;
  jid: string;
  lid: string;
}

/** What a contact received and decrypted: the simulator's own inbox entry, as the control API returns it. */
export type InboxItem = InboxEntry;

export interface MediaInput {
  type: 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker';
  mimetype: string;
  fileName?: string;
  caption?: string;
  dataBase64: string;
}

export interface PhonePresenceView {
  state: 'available' | 'unavailable';
  log: { device: string; state: 'available' | 'unavailable'; name?: string; timestamp: number }[];
  /** Contact numbers the connected sockets subscribed to (presenceSubscribe); cleared when a socket closes. */
  subscribedTo: string[];
}

export interface SimulatorStateView {
  phones: {
    phone: string;
    jid: string;
    lid: string;
    banned: boolean;
    devices: { id: number; jid: string; lid: string; connected: boolean; preKeys: number; pending: number }[];
  }[];
  contacts: (ContactInfo & { addressing: Addressing; inbox: number })[];
}

export type { GroupView } from '../groups/group-control.js';
export type { ParticipantResult as ParticipantResultView } from '../groups/group-actions.js';
export type { ProfileView } from '../profiles/profile-control.js';
/** A business profile as the control API takes it (see profiles/profile-schemas.ts). */
export type BusinessProfileInput = BusinessProfile;

export class ControlApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ControlApiError';
  }
}

export class ControlClient {
  private readonly base: string;

  /** `controlUrl` as startSimulator returns it, e.g. `http://127.0.0.1:7777/control`. */
  constructor(controlUrl: string) {
    this.base = controlUrl.replace(/\/$/, '');
  }

  scan(qr: string, phone: string, name?: string) {
    return this.call<{ phone: string; jid: string; lid: string }>('POST', '/scan', { qr, phone, name });
  }

  /**
   * The person types the code Baileys' `requestPairingCode(phone)` returned, on that phone. Resolves once the
   * exchange is done and pair-success sent (then Baileys closes with 515 as after a QR scan); a wrong code
   * rejects with ControlApiError 400 `wrong_link_code` and the companion stays unpaired (it may be typed again).
   */
  typeLinkCode(phone: string, code: string, name?: string) {
    return this.call<{ phone: string; jid: string; lid: string }>('POST', `/phones/${phone}/link-code`, { code, name });
  }

  createContact(phone: string, name: string) {
    return this.call<ContactInfo>('POST', '/contacts', { phone, name });
  }

  renameContact(phone: string, name: string) {
    return this.call<ContactInfo>('PATCH', `/contacts/${phone}`, { name });
  }

  /** The contact sends one message of any kind to linked number `to` (`addressing` overrides the contact's, once); `{blocked: true}` when `to` blocked the contact (accepted, never delivered). */
  sendFromContact(contact: string, message: MessageKind & { to: string; addressing?: Addressing }) {
    return this.call<{ id: string; blocked?: true }>('POST', `/contacts/${contact}/messages`, message);
  }

  /** Shortcuts for each kind (all go through sendFromContact). */
  sendLocation(contact: string, to: string, location: NonNullable<MessageKind['location']>, extra: Omit<MessageKind, 'location'> = {}) {
    return this.sendFromContact(contact, { to, ...extra, location });
  }

  sendContacts(contact: string, to: string, contacts: NonNullable<MessageKind['contacts']>, extra: Omit<MessageKind, 'contacts'> = {}) {
    return this.sendFromContact(contact, { to, ...extra, contacts });
  }

  sendPoll(contact: string, to: string, poll: NonNullable<MessageKind['poll']>, extra: Omit<MessageKind, 'poll'> = {}) {
    return this.sendFromContact(contact, { to, ...extra, poll });
  }

  /** An encrypted vote (pollUpdateMessage) for a poll the device or a contact created; `options: []` withdraws it. */
  vote(contact: string, to: string, vote: NonNullable<MessageKind['vote']>) {
    return this.sendFromContact(contact, { to, vote });
  }

  /** A reaction to message `id`; `emoji: ''` removes the contact's reaction. */
  react(contact: string, to: string, id: string, emoji: string) {
    return this.sendFromContact(contact, { to, reaction: { id, emoji } });
  }

  /** The contact edits one of its own messages (protocolMessage MESSAGE_EDIT). */
  edit(contact: string, to: string, id: string, text: string) {
    return this.sendFromContact(contact, { to, edit: { id, text } });
  }

  /** From now on the contact's 1:1 stanzas come from its LID with sender_pn (`lid`) or from its phone with sender_lid (`pn`). */
  setAddressing(contact: string, mode: Addressing) {
    return this.call<ContactInfo & { addressing: Addressing }>('POST', `/contacts/${contact}/addressing`, { mode });
  }

  /** The server tells every device of linked number `to` the contact's LID↔phone pair (Baileys: lid-mapping.update). */
  announceLid(contact: string, to: string) {
    return this.call<{ lid: string; pn: string; devices: number }>('POST', `/contacts/${contact}/lid-announcements`, { to });
  }

  /** What the contact decrypted, oldest first; with `after`, only the entries after the first `after`. */
  inbox(contact: string, after?: number) {
    return this.call<InboxItem[]>('GET', `/contacts/${contact}/inbox${after === undefined ? '' : `?after=${after}`}`);
  }

  /** Receipts the linked devices sent for this contact's messages. */
  receiptsReceived(contact: string) {
    return this.call<{ id: string; from: string; type: string; timestamp: number }[]>('GET', `/contacts/${contact}/receipts`);
  }

  /** Chat states the linked devices sent to this contact. */
  presenceReceived(contact: string) {
    return this.call<{ from: string; state: string; timestamp: number }[]>('GET', `/contacts/${contact}/presence`);
  }

  receipts(contact: string, to: string, ids: string[], type: 'delivered' | 'read', addressing?: Addressing) {
    return this.call<{ ok: true }>('POST', `/contacts/${contact}/receipts`, { to, ids, type, addressing });
  }

  /**
   * The contact's presence towards the linked number `to`. Chat states reach every connected device of `to`;
   * available/unavailable only the sockets that called presenceSubscribe(contact). `delivered` counts the sockets.
   */
  presence(contact: string, to: string, state: PresenceState) {
    return this.call<{ ok: true; delivered: number }>('POST', `/contacts/${contact}/presence`, { to, state });
  }

  /** The linked number's own presence (its devices' sendPresenceUpdate available|unavailable) and its subscriptions. */
  phonePresence(phone: string) {
    return this.call<PhonePresenceView>('GET', `/phones/${phone}/presence`);
  }

  revoke(contact: string, to: string, id: string, addressing?: Addressing) {
    return this.call<{ id: string }>('POST', `/contacts/${contact}/revoke`, { to, id, addressing });
  }

  kick(phone: string, reason: KickReason) {
    return this.call<{ kicked: string[] }>('POST', `/phones/${phone}/kick`, { reason });
  }

  faults(phone: string, faults: { nextAckError?: number | null; ackDelayMs?: number; iqDelayMs?: number }) {
    return this.call<{ faults: Record<string, number> }>('POST', `/phones/${phone}/faults`, faults);
  }

  unban(phone: string) {
    return this.call<{ ok: true }>('POST', `/phones/${phone}/unban`, {});
  }

  history(phone: string, history: { contacts?: unknown[]; chats?: unknown[]; messages?: unknown[] }) {
    return this.call<{ ok: true }>('POST', `/phones/${phone}/history`, history);
  }

  /** deviceSentMessage copies the phone received from its linked devices. */
  phoneSent(phone: string) {
    return this.call<{ id: string; from: string; destinationJid: string; timestamp: number }[]>('GET', `/phones/${phone}/sent`);
  }

  state() {
    return this.call<SimulatorStateView>('GET', '/state');
  }

  /** A contact creates a group with contacts and linked numbers; the linked devices get groups.upsert. */
  createGroup(body: { creator: string; subject: string; participants: string[]; description?: string }) {
    return this.call<GroupView>('POST', '/groups', body);
  }

  groups() {
    return this.call<GroupView[]>('GET', '/groups');
  }

  group(jid: string) {
    return this.call<GroupView>('GET', `/groups/${jid}`);
  }

  /**
   * A member contact renames the group or changes its description (null removes it), or an admin contact changes
   * the settings (announce: only admins send; locked: only admins edit the info): groups.update.
   */
  updateGroup(jid: string, body: { by: string; subject?: string; description?: string | null; announce?: boolean; locked?: boolean }) {
    return this.call<GroupView>('PATCH', `/groups/${jid}`, body);
  }

  /**
   * An admin contact adds, removes, promotes or demotes members: group-participants.update. `results` has
   * WhatsApp's code per number: 200, 403 (needs an invite: `inviteCode`), 404, 408 (left recently), 409, 500 (full).
   */
  groupParticipants(jid: string, body: { by: string; action: 'add' | 'remove' | 'promote' | 'demote'; participants: string[] }) {
    return this.call<{ changed: string[]; results: ParticipantResultView[]; group: GroupView }>('POST', `/groups/${jid}/participants`, body);
  }

  /** A contact joins with an invite code (406 invite_not_found, 401 invite_revoked, 500 group_full). */
  joinGroup(phone: string, code: string) {
    return this.call<GroupView>('POST', '/groups/join', { phone, code });
  }

  /** An admin contact revokes the invite link; the devices get groups.update {inviteCode}. */
  revokeGroupInvite(jid: string, by: string) {
    return this.call<{ inviteCode: string }>('POST', `/groups/${jid}/invite-code/revoke`, { by });
  }

  /** A member contact sets (null removes) the group picture: devices get a picture notification (GROUP_CHANGE_ICON). */
  setGroupPicture(jid: string, by: string, picture: { dataBase64: string } | null) {
    return this.call<GroupView>('PUT', `/groups/${jid}/picture`, { by, picture });
  }

  /** A member contact sends any kind to the group (sender key `skmsg`, plus the key for devices that lack it). */
  sendToGroup(jid: string, message: MessageKind & { from: string }) {
    return this.call<{ id: string }>('POST', `/groups/${jid}/messages`, message);
  }

  /** A contact's or a linked number's profile: push name, about, picture (with its URL and SHA-256), business, blocklist. */
  profile(phone: string) {
    return this.call<ProfileView>('GET', `/profiles/${phone}`);
  }

  /**
   * A contact changes its profile: `about` (read by fetchStatus), `picture` (JPEG base64; null removes it; every
   * linked device gets `notification type=picture` → contacts.update imgUrl), `business` (null: not a business;
   * read by getBusinessProfile).
   */
  updateContactProfile(
    contact: string,
    body: { about?: string; picture?: { dataBase64: string } | null; business?: BusinessProfileInput | null; groupAdd?: 'everyone' | 'invite' },
  ) {
    return this.call<ProfileView>('PUT', `/contacts/${contact}/profile`, body);
  }

  /** The person blocks or unblocks a contact on the phone: the devices get blocklist.update; blocked contacts' messages are dropped. */
  block(phone: string, contact: string, action: 'block' | 'unblock' = 'block') {
    return this.call<{ blocked: string[] }>('POST', `/phones/${phone}/blocklist`, { contact, action });
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const request = () =>
      fetch(`${this.base}${path}`, {
        method,
        headers: body === undefined ? undefined : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    let res: Response;
    try {
      res = await request();
    } catch (err) {
      // a reused keep-alive socket the server had just closed: safe to retry reads once
      if (method !== 'GET') throw err;
      res = await request();
    }
    const json = (await res.json()) as unknown;
    if (!res.ok) {
      const error = (json as { error?: { code?: string; message?: string; details?: unknown } }).error ?? {};
      throw new ControlApiError(res.status, error.code ?? 'unknown', error.message ?? res.statusText, error.details);
    }
    return json as T;
  }
}

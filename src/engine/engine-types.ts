import type { WaGroupParticipantsUpdate } from './group-types.js';

/**
 * Plain types that leave the engine. Nothing here refers to Baileys: the services layer,
 * the HTTP layer and the queues see only these shapes.
 */

/** The statuses an instance can be in, as the public API shows them. */
export type InstanceStatus = 'created' | 'qr' | 'connected' | 'disconnected' | 'banned';

/** Why the last status change happened. */
export type StatusReason =
  | 'created'
  | 'qr'
  | 'connected'
  | 'qr_expired'
  | 'logged_out'
  | 'replaced'
  | 'banned'
  | 'network'
  | 'restarting'
  | 'stopped'
  | 'bad_session'
  | 'multidevice_mismatch'
  /** The process that held the socket died (or restarted) and no process has reopened it yet. */
  | 'node_lost';

/** A QR code the tenant can scan; `code` is the raw string, `base64` a PNG data URL. */
export interface QrCodeInfo {
  code: string;
  base64: string;
  /** 1-based attempt number within the current cycle. */
  attempt: number;
  /** `qr_attempt_<attempt>`, as the API shows it. */
  attemptId: string;
  /** Codes per cycle (QR_MAX_ATTEMPTS): after the last one the instance waits for regenerate-qr. */
  maxAttempts: number;
  /** Milliseconds since the epoch at which this QR stops being valid. */
  expiresAt: number;
  /** Seconds this QR lives (the API's `expiry`). */
  expirySeconds: number;
}

/** A code to type on the phone ("Link with phone number"), while pairing by phone code. */
export interface PairingCodeInfo {
  /** `ABCD-EFGH` (8 characters of Crockford base32, dashed as WhatsApp shows it). */
  code: string;
  /** Milliseconds since the epoch at which the code stops working (the end of its QR cycle). */
  expiresAt: number;
}

/** One status change of one instance. */
export interface StatusChange {
  status: InstanceStatus;
  reason: StatusReason;
  /** E.164 with a leading `+`, once paired. */
  phone: string | null;
  /** The WhatsApp JID of the paired device, once paired. */
  jid: string | null;
  /** Present only while `status === 'qr'`. */
  qr?: QrCodeInfo;
  /** Present only while `status === 'qr'` and a pairing code was asked for in this cycle. */
  pairingCode?: PairingCodeInfo;
  profilePicUrl?: string | null;
  /** Milliseconds since the epoch. */
  at: number;
}

export type JsonObject = { [key: string]: unknown };

/** A message's address, as WhatsApp gives it (remoteJid may be a PN, LID or group JID). */
export interface WaMessageKey {
  id: string;
  remoteJid: string;
  fromMe: boolean;
  /** The other addressing of remoteJid (PN for a LID chat and the reverse), when known. */
  remoteJidAlt: string | null;
  /** Sender inside a group. */
  participant: string | null;
  participantAlt: string | null;
  /** How WhatsApp addressed the message: by phone (`pn`) or by LID (`lid`); null when it did not say. */
  addressingMode: 'pn' | 'lid' | null;
}

/** A LID (`<digits>@lid`) and the phone JID (`<digits>@s.whatsapp.net`) it stands for. */
export interface LidPair {
  lid: string;
  pn: string;
}

export type WaMessageStatus = 'error' | 'pending' | 'sent' | 'delivered' | 'read' | 'played';

export interface WaMessage {
  key: WaMessageKey;
  /** The message content as JSON (protobuf JSON: bytes as base64, e.g. `{ conversation: "hi" }`). */
  message: JsonObject | null;
  /** The content's type, e.g. `conversation`, `extendedTextMessage`, `imageMessage`, `reactionMessage`. */
  messageType: string | null;
  /** Text or caption, when the content has one. */
  text: string | null;
  pushName: string | null;
  /** Seconds since the epoch. */
  messageTimestamp: number | null;
  status: WaMessageStatus | null;
}

export interface WaMessageUpdate {
  key: WaMessageKey;
  /** Set when the update is a delivery/read status. */
  status: WaMessageStatus | null;
  /** Set when the update edits or revokes the content. */
  message: JsonObject | null;
  messageType: string | null;
}

export interface WaContact {
  id: string;
  lid: string | null;
  phoneNumber: string | null;
  /** Name saved in the phone's address book. */
  name: string | null;
  /** Name the contact chose (push name). */
  notify: string | null;
  verifiedName: string | null;
  imgUrl: string | null;
}

export interface WaChat {
  id: string;
  name: string | null;
  unreadCount: number | null;
  /** Seconds since the epoch. */
  conversationTimestamp: number | null;
  archived: boolean | null;
  pinned: number | null;
  /** Seconds since the epoch; 0 or null when not muted. */
  muteEndTime: number | null;
  readOnly: boolean | null;
}

export interface WaGroup {
  id: string;
  subject: string | null;
  desc: string | null;
  owner: string | null;
  /** Seconds since the epoch. */
  creation: number | null;
  announce: boolean | null;
  restrict: boolean | null;
  participants: Array<{ id: string; admin: 'admin' | 'superadmin' | null }> | null;
}

export type WaPresence = 'unavailable' | 'available' | 'composing' | 'recording' | 'paused';

/** What `event` emissions carry, by event name: plain data, no Baileys types. */
export interface EngineEventMap {
  'messages.upsert': { type: 'notify' | 'append'; messages: WaMessage[] };
  'messages.update': WaMessageUpdate[];
  'messages.delete': { keys: WaMessageKey[] } | { jid: string; all: true };
  'messaging-history.set': {
    chats: WaChat[];
    contacts: WaContact[];
    messages: WaMessage[];
    isLatest: boolean | null;
    progress: number | null;
    syncType: number | null;
  };
  'contacts.upsert': WaContact[];
  'contacts.update': Array<Partial<WaContact> & { id: string }>;
  'chats.upsert': WaChat[];
  'chats.update': Array<Partial<WaChat> & { id: string }>;
  'groups.upsert': WaGroup[];
  'groups.update': Array<Partial<WaGroup> & { id: string }>;
  'group-participants.update': WaGroupParticipantsUpdate;
  'presence.update': { id: string; presences: { [participant: string]: { lastKnownPresence: WaPresence; lastSeen: number | null } } };
  /**
   * LID ↔ phone pairs WhatsApp told the socket: Baileys' own `lid-mapping.update` (`source: event`), and every
   * pair Baileys writes to its mapping store (`source: signal-store`: sender_pn / sender_lid attributes, usync,
   * history sync, server notifications).
   */
  'lid-mapping.update': { mappings: LidPair[]; source: 'event' | 'signal-store' };
}

export type EngineEventName = keyof EngineEventMap;

export const ENGINE_EVENT_NAMES: readonly EngineEventName[] = [
  'messages.upsert',
  'messages.update',
  'messages.delete',
  'messaging-history.set',
  'contacts.upsert',
  'contacts.update',
  'chats.upsert',
  'chats.update',
  'groups.upsert',
  'groups.update',
  'group-participants.update',
  'presence.update',
  'lid-mapping.update',
];

/** One WhatsApp event of an instance: a discriminated union on `name`. */
export type EngineEvent = {
  [K in EngineEventName]: { name: K; data: EngineEventMap[K]; at: number };
}[EngineEventName];

/** Result of `onWhatsApp(phone)`. */
export interface WhatsAppLookup {
  exists: boolean;
  jid: string | null;
}

/** A link preview to attach to a text (fetched by the services layer under the URL guard). */
export interface LinkPreview {
  /** The URL as it appears in the text. */
  matchedText: string;
  canonicalUrl: string;
  title: string;
  description: string | null;
  /** A small JPEG, base64. */
  thumbnailBase64: string | null;
}

/** The message an action (reaction, edit, revoke) refers to. */
export interface TargetKey {
  id: string;
  remoteJid: string;
  fromMe: boolean;
  /** The sender inside a group. */
  participant?: string | null;
}

export type TextContent = {
  type: 'text';
  text: string;
  /** A preview to attach; null or absent sends none (the engine never fetches one itself). */
  linkPreview?: LinkPreview | null;
};
export type MediaContent = {
  type: 'media';
  mediaType: 'image' | 'video' | 'audio' | 'document';
  dataBase64: string;
  mimetype: string;
  caption?: string;
  fileName?: string;
  /** Audio as a voice note. */
  ptt?: boolean;
};
/** A webp sticker. */
export type StickerContent = { type: 'sticker'; dataBase64: string };
export type LocationContent = { type: 'location'; latitude: number; longitude: number; name?: string; address?: string };
/** Contact cards as vCards: one becomes a contactMessage, several a contactsArrayMessage. */
export type ContactsContent = { type: 'contacts'; displayName: string; contacts: Array<{ displayName: string; vcard: string }> };
/** Content as WhatsApp gave it to us (protobuf JSON), to forward. */
export type StoredContent = { type: 'stored'; message: JsonObject };

/** What can be forwarded: a stored message, or content of ours sent again marked forwarded. */
export type ForwardableContent = TextContent | MediaContent | StickerContent | LocationContent | ContactsContent | StoredContent;

/** What to send (plain data; media bytes as base64 so a command can cross nodes as JSON). */
export type OutgoingContent =
  | TextContent
  | MediaContent
  | StickerContent
  | LocationContent
  | ContactsContent
  | {
      type: 'poll';
      question: string;
      options: string[];
      /** 1: one answer; 0: any number. */
      selectableCount: 0 | 1;
      /** 32 bytes, base64: the key material of the votes, kept by the caller to decrypt them. */
      messageSecretBase64: string;
    }
  | { type: 'reaction'; target: TargetKey; emoji: string }
  | { type: 'edit'; target: TargetKey; text: string }
  | { type: 'revoke'; target: TargetKey }
  | { type: 'forward'; message: ForwardableContent };

/** A message to quote: its key and content as we stored them (protobuf JSON). */
export interface QuotedMessage {
  key: { id: string; remoteJid: string; fromMe: boolean; participant?: string | null };
  message: JsonObject | null;
}

export interface SendOptions {
  /** Fixed by the caller so a retried job never sends twice. */
  messageId: string;
  quoted?: QuotedMessage;
  /** JIDs to mention (the text must contain `@<user>` for each to show). */
  mentions?: string[];
  /** In a group: mention every participant (looked up at send time). */
  mentionsEveryone?: boolean;
}

/** A message to mark read (read receipts). */
export interface ReadKey {
  id: string;
  remoteJid: string;
  participant?: string | null;
}

/** An encrypted poll vote as it arrived (`pollUpdateMessage.vote`, base64), with what decrypting it needs. */
export interface PollVoteInput {
  encPayloadBase64: string;
  encIvBase64: string;
  pollMsgId: string;
  messageSecretBase64: string;
  /** The poll's creator: `me` (this instance) or a JID; both its phone and LID forms are tried. */
  creator: 'me' | string;
  /** The voter: `me` or the JIDs WhatsApp named (e.g. participant and participantAlt). */
  voter: 'me' | string[];
}

/** A decrypted vote: the sha256 (hex) of each chosen option name, and the jids whose key worked. */
export interface PollVoteResult {
  selectedOptionHashes: string[];
  creatorJid: string;
  voterJid: string;
}

/** Result of a send. */
export interface SendResult {
  messageId: string;
  jid: string;
}

/**
 * Port the services layer implements: persists the status (Postgres) and fans out
 * `connection.update` and the other events (webhooks, SSE). Called on the node that owns
 * the instance. Errors thrown here are logged and swallowed by the engine.
 */
export interface EngineEventSink {
  onStatus(instanceId: string, change: StatusChange, meta: EngineEventMeta): Promise<void> | void;
  onEvent(instanceId: string, event: EngineEvent, meta: EngineEventMeta): Promise<void> | void;
}

/**
 * What the services tell the engine's inbound journal (inbound-journal.ts): an inbound message reported in a
 * `messages.upsert` is now durable (stored), or needs no storing. Its journal entry, which protects it between
 * WhatsApp's delivery receipt and that commit, is then removed. Never throws, never waits.
 */
export interface InboundSettlement {
  settled(instanceId: string, waMessageId: string): void;
}

/** Where an event came from (e.g. to store the instance's `nodeId`). */
export interface EngineEventMeta {
  nodeId: string;
}

/**
 * Port the services layer implements: which instances should have a socket somewhere in the
 * cluster right now. Include instances in `created`, `qr`, `connected`, and `disconnected`
 * with reason `network`/`restarting`/`bad_session`; exclude deleted ones, `banned`, and
 * `disconnected` with `logged_out`, `replaced` or `qr_expired` (they wait for a user action).
 */
export interface InstanceDirectory {
  listRunnable(): Promise<Array<{ id: string }>>;
}

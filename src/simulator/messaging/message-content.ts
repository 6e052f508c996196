import { proto } from '@whiskeysockets/baileys';
import { pollOf } from './message-book.js';
import { parseVCard, type VCardContact } from './vcard.js';
import type { InboxVote } from './vote-reader.js';

/** What a contact received and decrypted, as the control API returns it. */
export interface InboxEntry {
  id: string;
  from: string;
  /** The group jid when the device sent it to a group this contact is in. */
  group?: string;
  /** The jid the device addressed (phone or LID form; the contact's own or the group's). */
  to?: string;
  type:
    | 'text'
    | 'image'
    | 'video'
    | 'audio'
    | 'document'
    | 'sticker'
    | 'location'
    | 'contact'
    | 'contacts'
    | 'poll'
    | 'vote'
    | 'reaction'
    | 'edit'
    | 'revoke'
    | 'other';
  text?: string;
  caption?: string;
  mimetype?: string;
  fileName?: string;
  sha256?: string;
  size?: number;
  ptt?: boolean;
  /** Id of the quoted message (reply). */
  quotedId?: string;
  /** Sender jid of the quoted message (contextInfo.participant). */
  quotedParticipant?: string;
  /** Text or caption of the quoted message the reply carries (contextInfo.quotedMessage). */
  quotedText?: string;
  /** contextInfo.mentionedJid. */
  mentions?: string[];
  /** contextInfo.isForwarded, with its forwardingScore. */
  forwarded?: boolean;
  forwardingScore?: number;
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  /** Contact cards (type contact: one, contacts: several), each vCard parsed. */
  contacts?: (VCardContact & { displayName?: string; vcard: string })[];
  /** A poll creation: question, option names, selectableCount (0 = any number). */
  poll?: { question: string; options: string[]; selectableCount: number };
  /** A poll vote, decrypted (type vote). */
  vote?: InboxVote;
  /** Why a vote could not be decrypted, if so. */
  voteError?: string;
  /** Link preview fields of an extendedTextMessage. */
  linkPreview?: { matchedText?: string; title?: string; description?: string; thumbnailSize?: number };
  /** Target message id of a reaction, edit or revoke. */
  targetId?: string;
  emoji?: string;
  timestamp: number;
  /** When the simulator decrypted it, in ms since the epoch (exact, for latency measurements). */
  receivedAt: number;
  /** Why the media could not be downloaded or decrypted, if so. */
  mediaError?: string;
  /** Media location, for the media module to download and decrypt. */
  media?: { directPath?: string; url?: string; mediaKey?: string; fileEncSha256?: string };
}

type Described = Omit<InboxEntry, 'id' | 'from' | 'timestamp' | 'receivedAt'>;

const b64 = (v?: Uint8Array | null): string | undefined => (v && v.length ? Buffer.from(v).toString('base64') : undefined);

function mediaOf(m: {
  directPath?: string | null;
  url?: string | null;
  mediaKey?: Uint8Array | null;
  fileEncSha256?: Uint8Array | null;
  fileSha256?: Uint8Array | null;
  fileLength?: number | Long | null;
  mimetype?: string | null;
}): Partial<Described> {
  return {
    mimetype: m.mimetype ?? undefined,
    sha256: b64(m.fileSha256),
    size: m.fileLength === null || m.fileLength === undefined ? undefined : Number(m.fileLength),
    media: { directPath: m.directPath ?? undefined, url: m.url ?? undefined, mediaKey: b64(m.mediaKey), fileEncSha256: b64(m.fileEncSha256) },
  };
}

interface Long {
  toNumber(): number;
}

/** Unwraps the containers WhatsApp puts around content (ephemeral, view once, device sent, edited). */
export function unwrap(message: proto.IMessage): proto.IMessage {
  let m = message;
  for (let i = 0; i < 5; i++) {
    const inner =
      m.deviceSentMessage?.message ??
      m.ephemeralMessage?.message ??
      m.viewOnceMessage?.message ??
      m.viewOnceMessageV2?.message ??
      m.documentWithCaptionMessage?.message ??
      m.editedMessage?.message;
    if (!inner) return m;
    m = inner;
  }
  return m;
}

/** Describes a decrypted message the way the inbox shows it. */
export function describeMessage(message: proto.IMessage): Described {
  const m = unwrap(message);
  const described = describeKind(m);
  return { ...described, ...contextOf(m) };
}

function describeKind(m: proto.IMessage): Described {
  if (m.conversation) return { type: 'text', text: m.conversation };
  if (m.extendedTextMessage) {
    const x = m.extendedTextMessage;
    const preview = {
      ...(x.matchedText ? { matchedText: x.matchedText } : {}),
      ...(x.title ? { title: x.title } : {}),
      ...(x.description ? { description: x.description } : {}),
      ...(x.jpegThumbnail?.length ? { thumbnailSize: x.jpegThumbnail.length } : {}),
    };
    return { type: 'text', text: x.text ?? '', ...(Object.keys(preview).length ? { linkPreview: preview } : {}) };
  }
  if (m.imageMessage) return { type: 'image', caption: m.imageMessage.caption ?? undefined, ...mediaOf(m.imageMessage) };
  if (m.videoMessage) return { type: 'video', caption: m.videoMessage.caption ?? undefined, ...mediaOf(m.videoMessage) };
  if (m.audioMessage) return { type: 'audio', ptt: !!m.audioMessage.ptt, ...mediaOf(m.audioMessage) };
  if (m.documentMessage) {
    return { type: 'document', caption: m.documentMessage.caption ?? undefined, fileName: m.documentMessage.fileName ?? undefined, ...mediaOf(m.documentMessage) };
  }
  if (m.stickerMessage) return { type: 'sticker', ...mediaOf(m.stickerMessage) };
  if (m.locationMessage) {
    const l = m.locationMessage;
    return {
      type: 'location',
      location: { latitude: l.degreesLatitude ?? 0, longitude: l.degreesLongitude ?? 0, ...(l.name ? { name: l.name } : {}), ...(l.address ? { address: l.address } : {}) },
    };
  }
  if (m.contactMessage) return { type: 'contact', contacts: [card(m.contactMessage)] };
  if (m.contactsArrayMessage) return { type: 'contacts', contacts: (m.contactsArrayMessage.contacts ?? []).map(card) };
  const poll = pollOf(m);
  if (poll) return { type: 'poll', poll };
  if (m.pollUpdateMessage) return { type: 'vote', targetId: m.pollUpdateMessage.pollCreationMessageKey?.id ?? undefined };
  if (m.reactionMessage) return { type: 'reaction', emoji: m.reactionMessage.text ?? '', targetId: m.reactionMessage.key?.id ?? undefined };
  const protocol = m.protocolMessage;
  if (protocol?.type === proto.Message.ProtocolMessage.Type.REVOKE) return { type: 'revoke', targetId: protocol.key?.id ?? undefined };
  if (protocol?.type === proto.Message.ProtocolMessage.Type.MESSAGE_EDIT) {
    const edited = protocol.editedMessage ? describeKind(unwrap(protocol.editedMessage)) : undefined;
    return { type: 'edit', targetId: protocol.key?.id ?? undefined, text: edited?.text ?? edited?.caption };
  }
  return { type: 'other' };
}

function card(c: proto.Message.IContactMessage): VCardContact & { displayName?: string; vcard: string } {
  const vcard = c.vcard ?? '';
  return { ...parseVCard(vcard), ...(c.displayName ? { displayName: c.displayName } : {}), vcard };
}

/** Reply, mentions and forwarding from the content's contextInfo. */
function contextOf(m: proto.IMessage): Partial<Described> {
  const holder = Object.entries(m).find(([k, v]) => k !== 'messageContextInfo' && v && typeof v === 'object' && 'contextInfo' in v)?.[1] as
    | { contextInfo?: proto.IContextInfo | null }
    | undefined;
  const info = holder?.contextInfo;
  if (!info) return {};
  const quoted = info.quotedMessage ? describeKind(unwrap(info.quotedMessage)) : undefined;
  return {
    ...(info.stanzaId ? { quotedId: info.stanzaId } : {}),
    ...(info.stanzaId && info.participant ? { quotedParticipant: info.participant } : {}),
    ...(quoted?.text || quoted?.caption ? { quotedText: quoted.text ?? quoted.caption } : {}),
    ...(info.mentionedJid?.length ? { mentions: [...info.mentionedJid] } : {}),
    ...(info.isForwarded ? { forwarded: true, forwardingScore: info.forwardingScore ?? 0 } : {}),
  };
}

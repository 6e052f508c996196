import type { JsonObject, WaMessage } from '../../engine/engine-types.js';
import { groupSenderOf } from '../groups/group-events.js';
import type { ContactCard, MessageContent } from '../../persistence/entities/message-content.js';
import { readVCard } from './vcard-reader.js';

/** Our message type for WhatsApp's content type. */
export function messageTypeOf(waType: string | null): string {
  switch (waType) {
    case 'conversation':
    case 'extendedTextMessage':
      return 'text';
    case 'imageMessage':
      return 'image';
    case 'videoMessage':
    case 'ptvMessage':
      return 'video';
    case 'audioMessage':
      return 'audio';
    case 'documentMessage':
    case 'documentWithCaptionMessage':
      return 'document';
    case 'stickerMessage':
      return 'sticker';
    case 'locationMessage':
    case 'liveLocationMessage':
      return 'location';
    case 'contactMessage':
    case 'contactsArrayMessage':
      return 'contact';
    case 'reactionMessage':
      return 'reaction';
    case 'pollCreationMessage':
    case 'pollCreationMessageV2':
    case 'pollCreationMessageV3':
      return 'poll';
    case 'protocolMessage':
      return 'protocol';
    default:
      return 'unknown';
  }
}

const WRAPPERS = ['ephemeralMessage', 'viewOnceMessage', 'viewOnceMessageV2', 'viewOnceMessageV2Extension', 'documentWithCaptionMessage', 'editedMessage'];

/** The content inside WhatsApp's wrappers (ephemeral, view once, ...), as JSON. */
export function unwrap(message: JsonObject | null): JsonObject | null {
  let current = message;
  for (let depth = 0; current && depth < 5; depth += 1) {
    const wrapper = WRAPPERS.find((w) => typeof current?.[w] === 'object' && current[w] !== null);
    if (!wrapper) break;
    const inner = (current[wrapper] as { message?: JsonObject }).message;
    if (!inner) break;
    current = inner;
  }
  return current;
}

export type ProtocolAction =
  | { kind: 'revoke'; targetId: string }
  | { kind: 'edit'; targetId: string; text: string | null; caption: string | null }
  | { kind: 'reaction'; targetId: string; emoji: string; at: number | null }
  | null;

const isRevoke = (type: unknown) => type === 'REVOKE' || type === 0;
const isEdit = (type: unknown) => type === 'MESSAGE_EDIT' || type === 14;

/** What a protocol or reaction message does to another message, or null for an ordinary message. */
export function protocolActionOf(msg: WaMessage): ProtocolAction {
  const content = unwrap(msg.message);
  if (!content) return null;
  const protocol = content.protocolMessage as
    | { type?: unknown; key?: { id?: string }; editedMessage?: JsonObject }
    | undefined;
  if (protocol?.key?.id) {
    if (isRevoke(protocol.type)) return { kind: 'revoke', targetId: protocol.key.id };
    if (isEdit(protocol.type)) {
      const edited = unwrap(protocol.editedMessage ?? null) ?? {};
      const text = (edited.conversation as string | undefined) ?? (edited.extendedTextMessage as { text?: string } | undefined)?.text ?? null;
      const caption =
        (edited.imageMessage as { caption?: string } | undefined)?.caption ??
        (edited.videoMessage as { caption?: string } | undefined)?.caption ??
        (edited.documentMessage as { caption?: string } | undefined)?.caption ??
        null;
      return { kind: 'edit', targetId: protocol.key.id, text, caption };
    }
  }
  const reaction = content.reactionMessage as { key?: { id?: string }; text?: string; senderTimestampMs?: string | number } | undefined;
  if (reaction?.key?.id) {
    const at = reaction.senderTimestampMs === undefined ? null : Number(reaction.senderTimestampMs);
    return { kind: 'reaction', targetId: reaction.key.id, emoji: reaction.text ?? '', at: Number.isFinite(at) ? at : null };
  }
  return null;
}

/** Where the message is filed and who wrote it (both addressings), as the recorder resolved them. */
export interface UpsertFiling {
  chatJid: string;
  sender: { phone: string | null; lid: string | null } | null;
  content: MessageContent | null;
}

/**
 * `messages.upsert` webhook data, in the seed's shape, plus: `messageType` with one name per kind
 * (publicMessageType), `chatJid` (the chat as we file it: the phone JID when known), `senderPhone` and
 * `senderLid`, and the kind's readable fields (`location`, `contacts`, `poll`, `sticker`) when it has them.
 */
export function upsertEventData(msg: WaMessage, messageId: string | null, filing?: UpsertFiling) {
  const messageTimestamp = String(msg.messageTimestamp ?? Math.floor(Date.now() / 1000));
  const sender = groupSenderOf(msg.key);
  const content = filing?.content ?? null;
  return {
    key: {
      remoteJid: msg.key.remoteJid,
      fromMe: msg.key.fromMe,
      id: msg.key.id,
      ...(msg.key.participant ? { participant: msg.key.participant } : {}),
      ...(msg.key.participant && msg.key.participantAlt ? { participantAlt: msg.key.participantAlt } : {}),
    },
    // The ZapFlare document's example has the timestamp inside `data.message`; ours had it at `data.messageTimestamp`:
    // both, so consumers written to either shape work.
    message: msg.message ? { ...msg.message, messageTimestamp } : msg.message,
    messageType: publicMessageType(msg.messageType),
    pushName: msg.pushName,
    messageTimestamp,
    ...(messageId ? { messageId } : {}),
    // In a group: who sent it, with the phone and the LID when WhatsApp gave both addressings.
    ...(sender ? { sender } : {}),
    ...(filing
      ? {
          chatJid: filing.chatJid,
          senderPhone: filing.sender?.phone ?? null,
          senderLid: filing.sender?.lid ?? null,
          ...(msg.key.remoteJidAlt ? { remoteJidAlt: msg.key.remoteJidAlt } : {}),
          ...(msg.key.participantAlt ? { participantAlt: msg.key.participantAlt } : {}),
        }
      : {}),
    ...(content ? readableContent(content) : {}),
  };
}

/**
 * The `messageType` webhooks name a message by: WhatsApp's content type, with the versions of one kind under one
 * name (`pollCreationMessageV3` → `pollCreationMessage`).
 */
export function publicMessageType(waType: string | null): string {
  switch (waType) {
    case 'pollCreationMessageV2':
    case 'pollCreationMessageV3':
      return 'pollCreationMessage';
    case null:
      return 'unknown';
    default:
      return waType;
  }
}

type Json = { [key: string]: unknown };
const obj = (v: unknown): Json | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : null);

function cardOf(c: Json | null): ContactCard | null {
  const vcard = str(c?.vcard);
  if (!c || !vcard) return null;
  const fields = readVCard(vcard);
  return { name: fields.name || str(c.displayName) || '', phones: fields.phones, org: fields.org, email: fields.email, vcard };
}

/**
 * The fields of a location, contact card(s), poll or sticker, from the message's JSON (inside WhatsApp's
 * wrappers); null for other kinds.
 */
export function kindContentOf(message: JsonObject | null): MessageContent | null {
  const m = unwrap(message);
  if (!m) return null;
  const location = obj(m.locationMessage) ?? obj(m.liveLocationMessage);
  if (location) {
    return {
      kind: 'location',
      latitude: num(location.degreesLatitude) ?? 0,
      longitude: num(location.degreesLongitude) ?? 0,
      name: str(location.name),
      address: str(location.address),
      url: str(location.url),
      live: obj(m.liveLocationMessage) !== null,
    };
  }
  const single = obj(m.contactMessage);
  if (single) {
    const card = cardOf(single);
    return { kind: 'contacts', displayName: str(single.displayName), contacts: card ? [card] : [] };
  }
  const several = obj(m.contactsArrayMessage);
  if (several) {
    const list = Array.isArray(several.contacts) ? several.contacts : [];
    return {
      kind: 'contacts',
      displayName: str(several.displayName),
      contacts: list.map((c) => cardOf(obj(c))).filter((c): c is ContactCard => c !== null),
    };
  }
  const poll = obj(m.pollCreationMessage) ?? obj(m.pollCreationMessageV2) ?? obj(m.pollCreationMessageV3);
  if (poll) {
    const options = (Array.isArray(poll.options) ? poll.options : [])
      .map((o) => str(obj(o)?.optionName))
      .filter((o): o is string => o !== null);
    const selectableCount = num(poll.selectableOptionsCount) ?? 0;
    return {
      kind: 'poll',
      question: str(poll.name) ?? '',
      options: options.map((name) => ({ name, voters: [] })),
      multipleAnswers: selectableCount !== 1,
      selectableCount,
    };
  }
  const sticker = obj(m.stickerMessage);
  if (sticker) return { kind: 'sticker', animated: sticker.isAnimated === true };
  return null;
}

/** A kind's fields under the name a reader expects: `location`, `contacts`, `poll` or `sticker`. */
export function readableContent(content: MessageContent) {
  switch (content.kind) {
    case 'location': {
      const { kind: _kind, ...location } = content;
      return { location };
    }
    case 'contacts':
      return { contacts: content.contacts.map(({ vcard: _vcard, ...card }) => card) };
    case 'poll':
      return { poll: { question: content.question, options: content.options, multipleAnswers: content.multipleAnswers } };
    case 'sticker':
      return { sticker: { animated: content.animated } };
  }
}

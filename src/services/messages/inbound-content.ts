import type { JsonObject, WaMessage } from '../../engine/engine-types.js';
import { groupSenderOf } from '../groups/group-events.js';

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

/** `messages.upsert` webhook data, in the seed's shape. */
export function upsertEventData(msg: WaMessage, messageId: string | null) {
  const messageTimestamp = String(msg.messageTimestamp ?? Math.floor(Date.now() / 1000));
  const sender = groupSenderOf(msg.key);
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
    messageType: msg.messageType ?? 'unknown',
    pushName: msg.pushName,
    messageTimestamp,
    ...(messageId ? { messageId } : {}),
    // In a group: who sent it, with the phone and the LID when WhatsApp gave both addressings.
    ...(sender ? { sender } : {}),
  };
}

import { proto } from '@whiskeysockets/baileys';

/** What a contact received and decrypted, as the control API returns it. */
export interface InboxEntry {
  id: string;
  from: string;
  /** The group jid when the device sent it to a group this contact is in. */
  group?: string;
  type: 'text' | 'image' | 'video' | 'audio' | 'document' | 'sticker' | 'reaction' | 'edit' | 'revoke' | 'other';
  text?: string;
  caption?: string;
  mimetype?: string;
  fileName?: string;
  sha256?: string;
  size?: number;
  ptt?: boolean;
  /** Id of the quoted message (reply). */
  quotedId?: string;
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
  if (m.conversation) return { type: 'text', text: m.conversation };
  if (m.extendedTextMessage) {
    return { type: 'text', text: m.extendedTextMessage.text ?? '', quotedId: m.extendedTextMessage.contextInfo?.stanzaId ?? undefined };
  }
  if (m.imageMessage) {
    return { type: 'image', caption: m.imageMessage.caption ?? undefined, quotedId: m.imageMessage.contextInfo?.stanzaId ?? undefined, ...mediaOf(m.imageMessage) };
  }
  if (m.videoMessage) {
    return { type: 'video', caption: m.videoMessage.caption ?? undefined, quotedId: m.videoMessage.contextInfo?.stanzaId ?? undefined, ...mediaOf(m.videoMessage) };
  }
  if (m.audioMessage) {
    return { type: 'audio', ptt: !!m.audioMessage.ptt, quotedId: m.audioMessage.contextInfo?.stanzaId ?? undefined, ...mediaOf(m.audioMessage) };
  }
  if (m.documentMessage) {
    return {
      type: 'document',
      caption: m.documentMessage.caption ?? undefined,
      fileName: m.documentMessage.fileName ?? undefined,
      quotedId: m.documentMessage.contextInfo?.stanzaId ?? undefined,
      ...mediaOf(m.documentMessage),
    };
  }
  if (m.stickerMessage) return { type: 'sticker', ...mediaOf(m.stickerMessage) };
  if (m.reactionMessage) return { type: 'reaction', emoji: m.reactionMessage.text ?? '', targetId: m.reactionMessage.key?.id ?? undefined };
  const protocol = m.protocolMessage;
  if (protocol?.type === proto.Message.ProtocolMessage.Type.REVOKE) return { type: 'revoke', targetId: protocol.key?.id ?? undefined };
  if (protocol?.type === proto.Message.ProtocolMessage.Type.MESSAGE_EDIT) {
    const edited = protocol.editedMessage ? describeMessage(protocol.editedMessage) : undefined;
    return { type: 'edit', targetId: protocol.key?.id ?? undefined, text: edited?.text ?? edited?.caption };
  }
  return { type: 'other' };
}

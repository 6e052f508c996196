import type { ChatEntity } from '../../persistence/entities/chat.entity.js';
import type { ContactEntity } from '../../persistence/entities/contact.entity.js';
import type { MessageEntity } from '../../persistence/entities/message.entity.js';
import { readableContent } from './inbound-content.js';
import type { Page } from '../../persistence/pagination.js';
import { kindFieldsOf } from './kinds/kind-fields.js';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export interface PageView<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
  totalPages: number;
}

export function toPageView<E, T>(page: Page<E>, map: (e: E) => T): PageView<T> {
  return {
    items: page.items.map(map),
    total: page.total,
    page: page.page,
    pageSize: page.pageSize,
    totalPages: Math.ceil(page.total / page.pageSize),
  };
}

function phoneOf(jid: string): string | null {
  const match = /^(\d+)(?::\d+)?@s\.whatsapp\.net$/.exec(jid);
  return match ? `+${match[1]}` : null;
}

/** A message's kind fields as a reader expects them; every key present (null when not that kind). */
function kindFields(m: MessageEntity) {
  const fields = m.content ? readableContent(m.content) : {};
  return {
    location: 'location' in fields ? fields.location : null,
    contacts: 'contacts' in fields ? fields.contacts : null,
    poll: 'poll' in fields ? fields.poll : null,
    sticker: 'sticker' in fields ? fields.sticker : null,
  };
}

export function toMessageView(m: MessageEntity) {
  const deleted = m.revokedAt !== null;
  return {
    id: m.id,
    waMessageId: m.waMessageId,
    chatJid: m.chatJid,
    fromMe: m.fromMe,
    senderJid: m.senderJid,
    senderPhone: m.senderPhone,
    senderLid: m.senderLid,
    pushName: m.pushName,
    type: m.type,
    text: m.text,
    caption: m.caption,
    ...kindFields(m),
    edited: m.editedAt !== null,
    deleted,
    media: m.mediaStatus
      ? {
          status: m.mediaStatus,
          mimetype: m.mediaMimetype,
          fileName: m.mediaFileName,
          size: m.mediaSize,
          sha256: m.mediaSha256,
          error: m.mediaError,
          ptt: m.ptt,
        }
      : null,
    quotedWaMessageId: m.quotedWaMessageId,
    mentions: m.mentions ?? [],
    /** `{ [senderJid]: { emoji, at } }` (our own under `me`). */
    reactions: m.reactions,
    status: m.status,
    error: m.error,
    errorCode: m.errorCode,
    timestamp: iso(m.messageTimestamp),
    sentAt: iso(m.sentAt),
    deliveredAt: iso(m.deliveredAt),
    readAt: iso(m.readAt),
    failedAt: iso(m.failedAt),
    editedAt: iso(m.editedAt),
    revokedAt: iso(m.revokedAt),
    ...kindFieldsOf(m),
  };
}
export type MessageView = ReturnType<typeof toMessageView>;

export function toContactView(c: ContactEntity) {
  return {
    jid: c.jid,
    lid: c.lid,
    phone: c.phone ?? phoneOf(c.jid),
    name: c.name,
    pushName: c.notify,
    verifiedName: c.verifiedName,
    imgUrl: c.imgUrl,
  };
}

export function toChatView(c: ChatEntity) {
  return {
    jid: c.jid,
    name: c.name,
    phone: phoneOf(c.jid),
    isGroup: c.isGroup,
    unreadCount: c.unreadCount,
    lastMessageTime: iso(c.lastMessageAt),
    archived: c.archived,
    pinned: c.pinned,
    muted: c.mutedUntil !== null && c.mutedUntil.getTime() > Date.now(),
    mutedUntil: iso(c.mutedUntil),
    readOnly: c.readOnly,
  };
}

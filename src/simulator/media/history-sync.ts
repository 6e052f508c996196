import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { proto } from '@whiskeysockets/baileys';
import { z } from 'zod';
import { encryptMedia } from './media-cipher.js';
import type { MediaBlobStore } from './media-server.js';

/*
 * What a phone "has" when a new device is linked, and the history-sync notifications that carry it.
 * Baileys (Utils/history.js processHistoryMessage) takes contacts, chats and messages from the conversations of an
 * INITIAL_BOOTSTRAP (also RECENT/FULL/ON_DEMAND) sync and contacts' names from a PUSH_NAME sync, then emits
 * `messaging-history.set`. The notification must come from the account itself (Baileys drops it otherwise).
 */

const phoneSchema = z
  .string()
  .regex(/^\+?\d{6,20}$/, 'a phone number in international format, digits only');
const userJidSchema = z
  .string()
  .regex(/^\d+@(s\.whatsapp\.net|lid)$/, 'a user jid such as 5511999990000@s.whatsapp.net or 123456@lid');
/** Unix seconds, or an ISO-8601 date-time. */
const timestampSchema = z.union([z.number().int().nonnegative(), z.iso.datetime({ offset: true })]);

export const historyContactSchema = z.object({
  phone: phoneSchema,
  name: z.string().min(1),
});

export const historyChatSchema = z
  .object({
    phone: phoneSchema.optional(),
    jid: userJidSchema.optional(),
    name: z.string().min(1).optional(),
    unreadCount: z.number().int().nonnegative().optional(),
    archived: z.boolean().optional(),
    pinned: z.boolean().optional(),
    /** Muted without muteEndTime means muted for a year. */
    muted: z.boolean().optional(),
    /** Unix seconds when the mute ends. */
    muteEndTime: z.number().int().positive().optional(),
    lastMessageTime: timestampSchema.optional(),
  })
  .refine((chat) => chat.phone !== undefined || chat.jid !== undefined, { message: 'phone or jid is required' });

export const historyMessageSchema = z
  .object({
    chatPhone: phoneSchema.optional(),
    jid: userJidSchema.optional(),
    id: z.string().min(1).max(128).optional(),
    fromMe: z.boolean(),
    text: z.string(),
    timestamp: timestampSchema,
  })
  .refine((message) => message.chatPhone !== undefined || message.jid !== undefined, {
    message: 'chatPhone or jid is required',
  });

/** Body of `POST /control/phones/{phone}/history`. */
export const historyInputSchema = z.object({
  contacts: z.array(historyContactSchema).default([]),
  chats: z.array(historyChatSchema).default([]),
  messages: z.array(historyMessageSchema).default([]),
});

export type HistoryContact = z.infer<typeof historyContactSchema>;
export type HistoryChat = z.infer<typeof historyChatSchema>;
export type HistoryMessage = z.infer<typeof historyMessageSchema>;
export type HistoryInput = z.infer<typeof historyInputSchema>;

export interface HistorySyncBuildOptions {
  /** The LID jid (`123@lid`) of a phone number, when known: conversations then carry lidJid and Baileys learns the mapping. */
  lidForPhone?: (phone: string) => string | undefined;
  now?: () => number;
}

export interface HistorySyncNotificationOptions extends HistorySyncBuildOptions {
  store: Pick<MediaBlobStore, 'storeBlob'>;
  /**
   * Also put the compressed payload inline (initialHistBootstrapInlinePayload). Default true: Baileys downloads a
   * history blob from `https://mmg.whatsapp.net{directPath}` (the notification has no host), which a simulator
   * cannot serve; with the inline payload it does not download.
   */
  inlinePayload?: boolean;
  /** originalMessageId of the notifications; default a random message id. */
  originalMessageId?: string;
}

const ONE_YEAR_SECONDS = 365 * 24 * 3600;
const HistorySyncType = proto.HistorySync.HistorySyncType;

/** The HistorySync payloads for `input`: INITIAL_BOOTSTRAP with the chats and messages, then PUSH_NAME with the contacts. */
export function buildHistorySyncs(input: HistoryInput, options: HistorySyncBuildOptions = {}): proto.HistorySync[] {
  const now = Math.floor((options.now ?? Date.now)() / 1000);
  const contactNames = new Map(input.contacts.map((c) => [pnJid(c.phone), c.name]));
  const conversations = new Map<string, proto.IConversation>();
  const lidMappings = new Map<string, string>();

  const lidOf = (jid: string): string | undefined => {
    if (!jid.endsWith('@s.whatsapp.net') || !options.lidForPhone) return undefined;
    const lid = options.lidForPhone(jid.split('@')[0]!);
    if (lid) lidMappings.set(jid, lid);
    return lid;
  };
  const conversationFor = (jid: string): proto.IConversation => {
    let conversation = conversations.get(jid);
    if (!conversation) {
      const lid = lidOf(jid);
      const name = contactNames.get(jid);
      conversation = { id: jid, messages: [], ...(name ? { name } : {}), ...(lid ? { lidJid: lid } : {}) };
      conversations.set(jid, conversation);
    }
    return conversation;
  };

  for (const chat of input.chats) {
    const conversation = conversationFor(chat.jid ?? pnJid(chat.phone!));
    if (chat.name !== undefined) conversation.name = chat.name;
    if (chat.unreadCount !== undefined) conversation.unreadCount = chat.unreadCount;
    if (chat.archived !== undefined) conversation.archived = chat.archived;
    if (chat.pinned) conversation.pinned = now;
    if (chat.muteEndTime !== undefined) conversation.muteEndTime = chat.muteEndTime;
    else if (chat.muted) conversation.muteEndTime = now + ONE_YEAR_SECONDS;
    if (chat.lastMessageTime !== undefined) conversation.conversationTimestamp = toSeconds(chat.lastMessageTime);
  }

  const messagesByChat = new Map<string, proto.IWebMessageInfo[]>();
  for (const message of input.messages) {
    const jid = message.jid ?? pnJid(message.chatPhone!);
    conversationFor(jid);
    const list = messagesByChat.get(jid) ?? [];
    const name = contactNames.get(jid);
    list.push({
      key: { remoteJid: jid, fromMe: message.fromMe, id: message.id ?? messageId() },
      message: { conversation: message.text },
      messageTimestamp: toSeconds(message.timestamp),
      ...(message.fromMe
        ? { status: proto.WebMessageInfo.Status.DELIVERY_ACK }
        : name
          ? { pushName: name }
          : {}),
    });
    messagesByChat.set(jid, list);
  }

  for (const [jid, list] of messagesByChat) {
    const conversation = conversations.get(jid)!;
    // Newest first, as WhatsApp sends them (Baileys keeps the first one as the chat's last message).
    list.sort((a, b) => Number(b.messageTimestamp) - Number(a.messageTimestamp));
    conversation.messages = list.map((message, index) => ({ message, msgOrderId: list.length - index }));
    conversation.conversationTimestamp ??= Number(list[0]!.messageTimestamp);
  }
  for (const contact of input.contacts) lidOf(pnJid(contact.phone));

  const bootstrap = proto.HistorySync.create({
    syncType: HistorySyncType.INITIAL_BOOTSTRAP,
    conversations: [...conversations.values()],
    phoneNumberToLidMappings: [...lidMappings].map(([pn, lid]) => ({ pnJid: pn, lidJid: lid })),
    chunkOrder: 0,
    progress: 100,
  });
  const syncs = [bootstrap];
  if (input.contacts.length > 0) {
    syncs.push(
      proto.HistorySync.create({
        syncType: HistorySyncType.PUSH_NAME,
        pushnames: input.contacts.map((c) => ({ id: pnJid(c.phone), pushname: c.name })),
        chunkOrder: 1,
        progress: 100,
      }),
    );
  }
  return syncs;
}

/**
 * One history-sync notification: the payload is zlib-deflated, encrypted as 'md-msg-hist' and stored on the media
 * server; the returned message `{ protocolMessage: { type: HISTORY_SYNC_NOTIFICATION, historySyncNotification } }`
 * is what the phone sends to its new device (from its own account, peer category).
 */
export async function createHistorySyncNotification(
  sync: proto.IHistorySync,
  options: HistorySyncNotificationOptions,
): Promise<proto.Message> {
  const compressed = deflateSync(proto.HistorySync.encode(sync).finish());
  const enc = await encryptMedia(compressed, 'md-msg-hist');
  const stored = options.store.storeBlob('md-msg-hist', enc.encrypted);
  const oldest = oldestMessageSeconds(sync);
  return proto.Message.create({
    protocolMessage: {
      type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
      historySyncNotification: {
        fileSha256: enc.fileSha256,
        fileLength: enc.fileLength,
        mediaKey: enc.mediaKey,
        fileEncSha256: enc.fileEncSha256,
        directPath: stored.directPath,
        syncType: sync.syncType as number as proto.Message.HistorySyncType,
        chunkOrder: sync.chunkOrder ?? 0,
        progress: sync.progress ?? 100,
        originalMessageId: options.originalMessageId ?? messageId(),
        ...(oldest !== undefined ? { oldestMsgInChunkTimestampSec: oldest } : {}),
        ...(options.inlinePayload === false ? {} : { initialHistBootstrapInlinePayload: compressed }),
      },
    },
  });
}

/** The notifications for a freshly paired device, in the order the phone sends them. */
export async function createHistorySyncNotifications(
  input: HistoryInput,
  options: HistorySyncNotificationOptions,
): Promise<proto.Message[]> {
  const originalMessageId = options.originalMessageId ?? messageId();
  const messages: proto.Message[] = [];
  for (const sync of buildHistorySyncs(input, options)) {
    messages.push(await createHistorySyncNotification(sync, { ...options, originalMessageId }));
  }
  return messages;
}

const pnJid = (phone: string): string => `${phone.replace(/^\+/, '')}@s.whatsapp.net`;

const toSeconds = (timestamp: number | string): number =>
  typeof timestamp === 'number' ? timestamp : Math.floor(Date.parse(timestamp) / 1000);

/** A message id in WhatsApp Web's shape (3EB0 + hex). */
const messageId = (): string => `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;

function oldestMessageSeconds(sync: proto.IHistorySync): number | undefined {
  let oldest: number | undefined;
  for (const conversation of sync.conversations ?? []) {
    for (const { message } of conversation.messages ?? []) {
      const ts = Number(message?.messageTimestamp ?? 0);
      if (ts > 0 && (oldest === undefined || ts < oldest)) oldest = ts;
    }
  }
  return oldest;
}

import { pooledRandomText } from '../../crypto/random-pool.js';
import type { MessageEntity, MessageStatus } from '../entities/message.entity.js';

/** `msg_` + 16 random url-safe characters (96 bits). */
export function newMessageId(): string {
  return `msg_${pooledRandomText(12, 'base64url')}`;
}

type Content = Partial<
  Pick<
    MessageEntity,
    | 'text'
    | 'caption'
    | 'mediaUrl'
    | 'mediaMimetype'
    | 'mediaFileName'
    | 'mediaSize'
    | 'mediaSha256'
    | 'mediaStorageKey'
    | 'mediaStatus'
    | 'ptt'
    | 'mentions'
    | 'quotedWaMessageId'
    | 'raw'
    | 'content'
  >
>;

/** A message the API accepted for sending; it starts `queued`, its WhatsApp id already fixed. */
export type NewOutgoingMessage = Content & {
  /** Defaults to `newMessageId()`. */
  id?: string;
  instanceId: string;
  waMessageId: string;
  chatJid: string;
  type: string;
  /** Defaults to now. */
  messageTimestamp?: Date;
};

/** A message WhatsApp reported (`messages.upsert`): inbound, or ours sent from another device or echoed back. */
export type NewStoredMessage = Content & {
  id?: string;
  instanceId: string;
  waMessageId: string;
  chatJid: string;
  fromMe: boolean;
  senderJid?: string | null;
  senderPhone?: string | null;
  senderLid?: string | null;
  pushName?: string | null;
  type: string;
  messageTimestamp: Date;
  /** Defaults to `sent` for our own messages and `delivered` for inbound ones. */
  status?: MessageStatus;
};

/** Which message: our id or WhatsApp's. */
export type MessageRef = { id: string } | { waMessageId: string };

export type MediaPatch = Partial<
  Pick<MessageEntity, 'mediaMimetype' | 'mediaFileName' | 'mediaSize' | 'mediaSha256' | 'mediaStorageKey' | 'mediaStatus' | 'mediaError'>
>;

export interface StoredMessage {
  /** False when a message with this WhatsApp id was already stored; `message` is then the stored one. */
  inserted: boolean;
  message: MessageEntity;
}

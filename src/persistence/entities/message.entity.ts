import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { bigintAsNumber } from '../sql.js';
import { InstanceEntity } from './instance.entity.js';
import type { MessageContent } from './message-content.js';

/**
 * Forward order of a message's status. `failed` sits after `sending` and before `sent`: a message fails only
 * before WhatsApp acknowledged it, and a receipt arriving later still moves a failed message forward.
 */
export const MESSAGE_STATUSES = ['queued', 'sending', 'failed', 'sent', 'delivered', 'read', 'played'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** A status's place in that order: a status move is forward when the rank grows. */
export const statusRank = (status: MessageStatus): number => MESSAGE_STATUSES.indexOf(status);

/** pending: to be downloaded or stored; stored: under `mediaStorageKey`; failed: see `mediaError`. */
export const MEDIA_STATUSES = ['pending', 'stored', 'failed'] as const;
export type MediaStatus = (typeof MEDIA_STATUSES)[number];

/** One reaction per sender: `{ [senderJid]: { emoji, at } }`, `at` in epoch ms. */
export type MessageReactions = Record<string, { emoji: string; at: number }>;

/** A poll's decrypted votes, by voter: `{ [voterJid]: { options, at } }` (`at` in epoch ms; `[]` = withdrawn). */
export type PollVotes = Record<string, { options: string[]; at: number }>;

/** A message sent or received by an instance; inbound ones are stored exactly once (unique WhatsApp id). */
@Entity({ name: 'messages' })
@Unique('uq_messages_wa_message_id', ['instanceId', 'waMessageId'])
@Index('idx_messages_chat', ['instanceId', 'chatJid', 'messageTimestamp'])
@Index('idx_messages_unsent', ['instanceId'], { where: `"status" IN ('queued', 'sending')` })
@Index('idx_messages_sender_lid', ['instanceId', 'senderLid'], { where: `"sender_lid" IS NOT NULL AND "sender_phone" IS NULL` })
@Check(
  'messages_status_check',
  `"status" IN ('queued', 'sending', 'failed', 'sent', 'delivered', 'read', 'played')`,
)
@Check('messages_media_status_check', `"media_status" IN ('pending', 'stored', 'failed')`)
export class MessageEntity {
  /** `msg_` + random url-safe characters: our id, shown to tenants. */
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'instance_id', type: 'text' })
  instanceId!: string;

  @ManyToOne(() => InstanceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instance_id', foreignKeyConstraintName: 'messages_instance_id_fkey' })
  instance?: InstanceEntity;

  /** WhatsApp's message id (`key.id`); fixed before the first send attempt for outgoing messages. */
  @Column({ name: 'wa_message_id', type: 'text' })
  waMessageId!: string;

  /** `key.remoteJid`. */
  @Column({ name: 'chat_jid', type: 'text' })
  chatJid!: string;

  @Column({ name: 'from_me', type: 'boolean' })
  fromMe!: boolean;

  /** Who wrote it: the participant in groups, the contact in one-to-one chats; null for our own. */
  @Column({ name: 'sender_jid', type: 'text', nullable: true })
  senderJid!: string | null;

  /** The sender's phone (`+<digits>`), whenever WhatsApp told us; null for our own. */
  @Column({ name: 'sender_phone', type: 'text', nullable: true })
  senderPhone!: string | null;

  /** The sender's LID (`<digits>@lid`), whenever WhatsApp told us; null for our own. */
  @Column({ name: 'sender_lid', type: 'text', nullable: true })
  senderLid!: string | null;

  @Column({ name: 'push_name', type: 'text', nullable: true })
  pushName!: string | null;

  /** text, image, video, audio, document, sticker, location, contact, reaction, poll, unknown... */
  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'text', nullable: true })
  text!: string | null;

  @Column({ type: 'text', nullable: true })
  caption!: string | null;

  /** Outgoing: the `mediaUrl` to fetch. */
  @Column({ name: 'media_url', type: 'text', nullable: true })
  mediaUrl!: string | null;

  @Column({ name: 'media_mimetype', type: 'text', nullable: true })
  mediaMimetype!: string | null;

  @Column({ name: 'media_file_name', type: 'text', nullable: true })
  mediaFileName!: string | null;

  @Column({ name: 'media_size', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  mediaSize!: number | null;

  /** Hex sha256 of the plaintext media. */
  @Column({ name: 'media_sha256', type: 'text', nullable: true })
  mediaSha256!: string | null;

  /** Where the media storage keeps the bytes. */
  @Column({ name: 'media_storage_key', type: 'text', nullable: true })
  mediaStorageKey!: string | null;

  /** Null for messages without media. */
  @Column({ name: 'media_status', type: 'text', nullable: true })
  mediaStatus!: MediaStatus | null;

  @Column({ name: 'media_error', type: 'text', nullable: true })
  mediaError!: string | null;

  /** Audio sent or received as a voice note. */
  @Column({ type: 'boolean', default: false })
  ptt!: boolean;

  /** Mentioned JIDs. */
  @Column({ type: 'text', array: true, nullable: true })
  mentions!: string[] | null;

  /** WhatsApp id of the message this one quotes. */
  @Column({ name: 'quoted_wa_message_id', type: 'text', nullable: true })
  quotedWaMessageId!: string | null;

  @Column({ type: 'text' })
  status!: MessageStatus;

  /** Why it failed, for people. */
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /** Why it failed, for programs (not_on_whatsapp, media_too_large, ...). */
  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode!: string | null;

  /** WhatsApp's timestamp of the message; for outgoing ones, when it was accepted. */
  @Column({ name: 'message_timestamp', type: 'timestamptz' })
  messageTimestamp!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @Column({ name: 'read_at', type: 'timestamptz', nullable: true })
  readAt!: Date | null;

  @Column({ name: 'played_at', type: 'timestamptz', nullable: true })
  playedAt!: Date | null;

  @Column({ name: 'failed_at', type: 'timestamptz', nullable: true })
  failedAt!: Date | null;

  /** Set when the message was edited (the text/caption columns hold the latest version). */
  @Column({ name: 'edited_at', type: 'timestamptz', nullable: true })
  editedAt!: Date | null;

  /** Set when the message was deleted for everyone. */
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  reactions!: MessageReactions;

  /** A location, contact cards, a poll (with its tally), a sticker's flags; null for text and other media. */
  @Column({ type: 'jsonb', nullable: true })
  content!: MessageContent | null;

  /** Polls: the votes decrypted so far (null for other messages and polls nobody voted on). */
  @Column({ name: 'poll_votes', type: 'jsonb', nullable: true })
  pollVotes!: PollVotes | null;

  /** The WhatsApp message as JSON (Buffers as `BufferJSON` writes them), for webhooks and debugging. */
  @Column({ type: 'jsonb', nullable: true })
  raw!: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

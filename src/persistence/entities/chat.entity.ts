import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { InstanceEntity } from './instance.entity.js';

/** A conversation (one-to-one or group) of one instance. */
@Entity({ name: 'chats' })
@Index('idx_chats_last_message_at', ['instanceId', 'lastMessageAt'])
export class ChatEntity {
  @PrimaryColumn({ name: 'instance_id', type: 'text', primaryKeyConstraintName: 'chats_pkey' })
  instanceId!: string;

  @ManyToOne(() => InstanceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instance_id', foreignKeyConstraintName: 'chats_instance_id_fkey' })
  instance?: InstanceEntity;

  /** `<digits>@s.whatsapp.net`, `<id>@lid` or `<id>@g.us`. */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'chats_pkey' })
  jid!: string;

  /** Group subject, or the contact's name as WhatsApp reported it. */
  @Column({ type: 'text', nullable: true })
  name!: string | null;

  @Column({ name: 'is_group', type: 'boolean', default: false })
  isGroup!: boolean;

  @Column({ name: 'unread_count', type: 'integer', default: 0 })
  unreadCount!: number;

  @Column({ name: 'last_message_at', type: 'timestamptz', nullable: true })
  lastMessageAt!: Date | null;

  @Column({ type: 'boolean', default: false })
  archived!: boolean;

  @Column({ type: 'boolean', default: false })
  pinned!: boolean;

  /** Muted until then; null when not muted (muted forever: a far-future date). */
  @Column({ name: 'muted_until', type: 'timestamptz', nullable: true })
  mutedUntil!: Date | null;

  /** We cannot send here (left the group, announcement group without admin rights). */
  @Column({ name: 'read_only', type: 'boolean', default: false })
  readOnly!: boolean;

  /** A group where only admins may send (`isGroupAnnouncement`). */
  @Column({ name: 'is_announcement', type: 'boolean', default: false })
  isAnnouncement!: boolean;

  @Column({ name: 'marked_spam', type: 'boolean', default: false })
  markedSpam!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

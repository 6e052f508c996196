import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { InstanceEntity } from './instance.entity.js';

/** A WhatsApp contact as one instance knows it (address book, history sync, push names). */
@Entity({ name: 'contacts' })
@Index('idx_contacts_lid', ['instanceId', 'lid'], { where: '"lid" IS NOT NULL' })
export class ContactEntity {
  @PrimaryColumn({ name: 'instance_id', type: 'text', primaryKeyConstraintName: 'contacts_pkey' })
  instanceId!: string;

  @ManyToOne(() => InstanceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instance_id', foreignKeyConstraintName: 'contacts_instance_id_fkey' })
  instance?: InstanceEntity;

  /** `<digits>@s.whatsapp.net`, or `<id>@lid` when WhatsApp only gave the LID. */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'contacts_pkey' })
  jid!: string;

  /** The contact's LID (`<id>@lid`) when known. */
  @Column({ type: 'text', nullable: true })
  lid!: string | null;

  /** Digits with country code, no `+`. */
  @Column({ type: 'text', nullable: true })
  phone!: string | null;

  /** The name saved in the phone's address book. */
  @Column({ type: 'text', nullable: true })
  name!: string | null;

  /** The contact's own push name (`notify`, `pushName`). */
  @Column({ type: 'text', nullable: true })
  notify!: string | null;

  /** A business account's verified name. */
  @Column({ name: 'verified_name', type: 'text', nullable: true })
  verifiedName!: string | null;

  @Column({ name: 'img_url', type: 'text', nullable: true })
  imgUrl!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

import { Check, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, Unique, UpdateDateColumn } from 'typeorm';
import { InstanceEntity } from './instance.entity.js';

/** Where a LID ↔ phone pair was learnt. */
export const LID_MAPPING_SOURCES = ['lid-mapping.update', 'message', 'group-message', 'history', 'contact', 'signal-store'] as const;
export type LidMappingSource = (typeof LID_MAPPING_SOURCES)[number];

/** One LID ↔ phone pair an instance learnt from WhatsApp (one row per LID, one LID per phone). */
@Entity({ name: 'lid_mappings' })
@Unique('uq_lid_mappings_pn', ['instanceId', 'pn'])
@Check('lid_mappings_addressing_check', `"addressing" IN ('pn', 'lid')`)
export class LidMappingEntity {
  @PrimaryColumn({ name: 'instance_id', type: 'text', primaryKeyConstraintName: 'lid_mappings_pkey' })
  instanceId!: string;

  @ManyToOne(() => InstanceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instance_id', foreignKeyConstraintName: 'lid_mappings_instance_id_fkey' })
  instance?: InstanceEntity;

  /** `<digits>@lid`. */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'lid_mappings_pkey' })
  lid!: string;

  /** `<digits>@s.whatsapp.net`. */
  @Column({ type: 'text' })
  pn!: string;

  /** The last source that told us (see LID_MAPPING_SOURCES). */
  @Column({ type: 'text' })
  source!: string;

  /** How the contact's last one-to-one message was addressed; null until one arrived. */
  @Column({ type: 'text', nullable: true })
  addressing!: 'pn' | 'lid' | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

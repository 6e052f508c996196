import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Unique } from 'typeorm';
import { bigintAsNumber } from '../sql.js';
import { InstanceEntity } from './instance.entity.js';

/**
 * The outbox: one row per event of an instance, written in the transaction that stored its cause. The webhook
 * body is built from this row alone, so every retry sends the same bytes.
 */
@Entity({ name: 'webhook_events' })
@Unique('uq_webhook_events_sequence', ['instanceId', 'sequence'])
@Index('idx_webhook_events_created_at', ['createdAt'])
export class WebhookEventEntity {
  /** `evt_` + random characters; the body's `id`, the same on every retry and redelivery. */
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'instance_id', type: 'text' })
  instanceId!: string;

  @ManyToOne(() => InstanceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instance_id', foreignKeyConstraintName: 'webhook_events_instance_id_fkey' })
  instance?: InstanceEntity;

  /** The instance's name when the event happened (the body's `instance.instanceName`). */
  @Column({ name: 'instance_name', type: 'text' })
  instanceName!: string;

  /** connection.update, messages.upsert, ... */
  @Column({ type: 'text' })
  event!: string;

  /** Per instance: 1, 2, 3, ... without gaps, in commit order. */
  @Column({ type: 'bigint', transformer: bigintAsNumber })
  sequence!: number;

  /** The body's `data`. json, not jsonb: keeps the key order the producer wrote (`key: { remoteJid, fromMe, id }`). */
  @Column({ type: 'json' })
  payload!: unknown;

  /** The body's `timestamp`. */
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

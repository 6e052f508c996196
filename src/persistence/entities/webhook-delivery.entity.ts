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
import { InstanceEntity } from './instance.entity.js';
import { WebhookEventEntity } from './webhook-event.entity.js';

/**
 * pending: waiting for `nextAttemptAt`; delivering: claimed by a worker until `nextAttemptAt` (its lease), then
 * claimable again; succeeded: a 2xx came back; failed: given up (dead letter, kept for the log and redelivery).
 */
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivering', 'succeeded', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** One event to one URL: the retry state and the delivery log. */
@Entity({ name: 'webhook_deliveries' })
@Unique('uq_webhook_deliveries_event_url', ['eventId', 'url'])
@Index('idx_webhook_deliveries_due', ['nextAttemptAt'], { where: `"status" IN ('pending', 'delivering')` })
@Index('idx_webhook_deliveries_instance', ['instanceId', 'createdAt'])
@Check('webhook_deliveries_status_check', `"status" IN ('pending', 'delivering', 'succeeded', 'failed')`)
export class WebhookDeliveryEntity {
  /** `whd_` + random url-safe characters. */
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'event_id', type: 'text' })
  eventId!: string;

  @ManyToOne(() => WebhookEventEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id', foreignKeyConstraintName: 'webhook_deliveries_event_id_fkey' })
  webhookEvent?: WebhookEventEntity;

  @Column({ name: 'instance_id', type: 'text' })
  instanceId!: string;

  @ManyToOne(() => InstanceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instance_id', foreignKeyConstraintName: 'webhook_deliveries_instance_id_fkey' })
  instance?: InstanceEntity;

  /** The event's name, copied for filtering the log. */
  @Column({ type: 'text' })
  event!: string;

  /** The instance's webhook URL when the event happened. */
  @Column({ type: 'text' })
  url!: string;

  @Column({ type: 'text', default: 'pending' })
  status!: WebhookDeliveryStatus;

  /** Attempts started (a claim counts one, so a worker dying mid-attempt still uses one up). */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_status_code', type: 'integer', nullable: true })
  lastStatusCode!: number | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt!: Date | null;

  /** pending: when to try; delivering: when the claim lapses; null once succeeded or failed. */
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  /** Set by each claim; only its holder may record the outcome. */
  @Column({ name: 'claim_token', type: 'uuid', nullable: true })
  claimToken!: string | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

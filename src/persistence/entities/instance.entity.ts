import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Generated,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { TenantEntity } from './tenant.entity.js';

export type InstanceStatus = 'created' | 'qr' | 'connected' | 'disconnected' | 'banned';
export const INSTANCE_STATUSES: readonly InstanceStatus[] = ['created', 'qr', 'connected', 'disconnected', 'banned'];

@Entity({ name: 'instances' })
@Check('instances_status_check', `"status" IN ('created', 'qr', 'connected', 'disconnected', 'banned')`)
@Index('idx_instances_tenant_id', ['tenantId', 'createdAt'])
@Index('idx_instances_status', ['status'])
@Unique('uq_instances_tenant_tag', ['tenantId', 'tag'])
export class InstanceEntity {
  /** `inst_` + random url-safe characters. */
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'instances_tenant_id_fkey' })
  tenant?: TenantEntity;

  @Column({ type: 'text' })
  name!: string;

  /** E.164 with +, once connected. */
  @Column({ type: 'text', nullable: true })
  phone!: string | null;

  @Column({ type: 'text', default: 'created' })
  status!: InstanceStatus;

  /** Why the status last changed (qr_expired, logged_out, replaced, network, ...). */
  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason!: string | null;

  @Column({ name: 'profile_pic_url', type: 'text', nullable: true })
  profilePicUrl!: string | null;

  @Column({ name: 'webhook_url', type: 'text', nullable: true })
  webhookUrl!: string | null;

  /** Subscribed event names; null means all. */
  @Column({ name: 'webhook_events', type: 'text', array: true, nullable: true })
  webhookEvents!: string[] | null;

  /** HMAC secret for webhook signatures; stored sealed (src/crypto). */
  @Column({ name: 'webhook_secret', type: 'text', nullable: true })
  webhookSecret!: string | null;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  /** Numeric id of the Z-API compatibility surface (`id`, `instancia_id`); identity BY DEFAULT so imports can keep old ids. */
  @Column({ name: 'legacy_id', type: 'integer', unique: true, generated: 'identity', generatedIdentity: 'BY DEFAULT' })
  legacyId!: number;

  /** The `uuid` / `instancia_uuid` of the Z-API compatibility surface. */
  @Column({ type: 'uuid', unique: true })
  @Generated('uuid')
  uuid!: string;

  /** Z-API zapi: the client's unique tag for this instance (unique per tenant); null for instances made through /whatsapp. */
  @Column({ type: 'text', nullable: true })
  tag!: string | null;

  /** Z-API zapi: `descricao`. */
  @Column({ type: 'text', nullable: true })
  description!: string | null;

  /** Z-API zapi: the `instance_id` the client had at its old provider; kept only to echo it back. Not a secret. */
  @Column({ name: 'external_instance_id', type: 'text', nullable: true })
  externalInstanceId!: string | null;

  /** The node currently running this instance's socket, if any. */
  @Column({ name: 'node_id', type: 'text', nullable: true })
  nodeId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

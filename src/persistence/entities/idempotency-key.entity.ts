import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { InstanceEntity } from './instance.entity.js';
import { TenantEntity } from './tenant.entity.js';

/** The first answer to a request made with an `Idempotency-Key` header, replayed for retries until it expires. */
@Entity({ name: 'idempotency_keys' })
@Index('idx_idempotency_keys_expires_at', ['expiresAt'])
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'idempotency_keys_pkey' })
  tenantId!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'idempotency_keys_tenant_id_fkey' })
  tenant?: TenantEntity;

  @PrimaryColumn({ name: 'instance_id', type: 'text', primaryKeyConstraintName: 'idempotency_keys_pkey' })
  instanceId!: string;

  @ManyToOne(() => InstanceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instance_id', foreignKeyConstraintName: 'idempotency_keys_instance_id_fkey' })
  instance?: InstanceEntity;

  /** The header's value. */
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'idempotency_keys_pkey' })
  key!: string;

  /** Fingerprint of the first request (method, path, body): the same key with another request is refused. */
  @Column({ name: 'request_hash', type: 'text' })
  requestHash!: string;

  @Column({ name: 'response_status', type: 'integer' })
  responseStatus!: number;

  /** json, not jsonb: a replay returns the first answer's keys in their order. */
  @Column({ name: 'response_body', type: 'json' })
  responseBody!: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}

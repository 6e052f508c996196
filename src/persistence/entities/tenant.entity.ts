import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type Plan = 'starter' | 'pro' | 'enterprise';

@Entity({ name: 'tenants' })
@Check('tenants_plan_check', `"plan" IN ('starter', 'pro', 'enterprise')`)
export class TenantEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /**
   * Stable numeric id: the `sistema_id` / `X-Sistema-ID` of the Z-API compatibility surface (/api). Identity BY DEFAULT,
   * so a tenant moving from the old provider can keep its old number (set explicitly on import).
   */
  @Column({ name: 'system_id', type: 'integer', unique: true, generated: 'identity', generatedIdentity: 'BY DEFAULT' })
  systemId!: number;

  @Column({ type: 'text', default: 'starter' })
  plan!: Plan;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

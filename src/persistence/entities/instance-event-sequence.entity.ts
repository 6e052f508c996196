import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../sql.js';
import { InstanceEntity } from './instance.entity.js';

/**
 * The last event sequence number given out per instance. Incremented by `UPDATE ... RETURNING` inside the
 * transaction that records the event: the row lock orders concurrent writers, a rollback returns the number.
 */
@Entity({ name: 'instance_event_sequences' })
export class InstanceEventSequenceEntity {
  @PrimaryColumn({ name: 'instance_id', type: 'text', primaryKeyConstraintName: 'instance_event_sequences_pkey' })
  instanceId!: string;

  @OneToOne(() => InstanceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'instance_id', foreignKeyConstraintName: 'instance_event_sequences_instance_id_fkey' })
  instance?: InstanceEntity;

  @Column({ name: 'last_sequence', type: 'bigint', default: 0, transformer: bigintAsNumber })
  lastSequence!: number;
}

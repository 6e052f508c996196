import type { DataSource, EntityManager } from 'typeorm';
import type { MessageStatus } from '../entities/message.entity.js';
import { runSql } from '../sql.js';
import type { Tx } from '../transaction-runner.js';
import type { MessageRef } from './message-inputs.js';
import { readStatusView, type MessageStatusView } from './message-status-view.js';
import { statusMovesSql } from './status-moves-sql.js';
import { newWebhookDeliveryId, newWebhookEventRowId, readAppended, type AppendedEvent } from './webhook-event-repository.js';

/** One status move: the arguments of MessageUpdates.updateStatusWithEvent. */
export interface StatusMove {
  instanceId: string;
  ref: MessageRef;
  status: MessageStatus;
  /** Defaults to when the move is written. */
  at?: Date;
  error?: string | null;
  errorCode?: string | null;
}

/** A move that changed the message: its status view right after it and the `messages.update` event it appended. */
export interface StatusMoved {
  message: MessageStatusView;
  event: AppendedEvent;
}

/** Many status moves in one statement (see statusMovesSql), for the group commit of status moves. */
export class StatusMoveRepository {
  /** The statement's text, built once per entity manager's connection (it is fixed, so its plan is cached). */
  private text: string | undefined;

  constructor(private readonly ds: DataSource) {}

  /**
   * Applies `moves` in order, each with exactly the effect and result of its own updateStatusWithEvent call made
   * one after the other: per move the updated message and its event, or null when it changed nothing (unknown
   * message, or not a step forward). One statement: if it fails (a bad value in any move), nothing is applied.
   */
  async applyMoves(moves: readonly StatusMove[], tx?: Tx): Promise<Array<StatusMoved | null>> {
    if (moves.length === 0) return [];
    const em = tx ?? this.ds.manager;
    const now = new Date();
    const rows = moves.map((move, idx) => ({
      idx,
      instance_id: move.instanceId,
      ref_id: 'id' in move.ref ? move.ref.id : null,
      ref_wa: 'id' in move.ref ? null : move.ref.waMessageId,
      status: move.status,
      // toISOString throws on an invalid date (the single statement's driver would send it and fail too).
      at: (move.at ?? now).toISOString(),
      error: move.error ?? null,
      error_code: move.errorCode ?? null,
      event_id: newWebhookEventRowId(),
      delivery_id: newWebhookDeliveryId(),
    }));
    const { rows: results } = await runSql(em, this.statement(em), [JSON.stringify(rows)]);
    return moves.map((_move, idx) => {
      const row = results[idx];
      if (!row || row.move_idx !== idx) throw new Error(`status moves: no result row for move ${idx}`);
      const event = readAppended(em, row);
      return event ? { message: readStatusView(row), event } : null;
    });
  }

  private statement(em: EntityManager): string {
    this.text ??= statusMovesSql(em);
    return this.text;
  }
}

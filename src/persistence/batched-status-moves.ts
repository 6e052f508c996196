import type { Logger } from 'pino';
import { eachAlone, GroupCommit, type BatchOutcome } from './group-commit.js';
import type { MessageRepository } from './repositories/message-repository.js';
import type { StatusMove, StatusMoved, StatusMoveRepository } from './repositories/status-move-repository.js';

export interface BatchedStatusMovesDeps {
  moves: Pick<StatusMoveRepository, 'applyMoves'>;
  /** A lone move, and each move of a batch whose statement failed, runs as its own updateStatusWithEvent. */
  messages: Pick<MessageRepository, 'updateStatusWithEvent'>;
  logger: Logger;
  /** Most moves in one statement (default 100). */
  maxBatch?: number;
}

/**
 * Status moves written by group commit: the moves submitted in one turn of the event loop go to the database as
 * one statement (StatusMoveRepository.applyMoves), one batch at a time so moves apply in submission order. Each
 * move resolves with what its own updateStatusWithEvent call would have returned. When a batch statement fails,
 * its moves run again one by one, so a bad move fails alone.
 */
export class BatchedStatusMoves {
  private readonly commit: GroupCommit<StatusMove, StatusMoved | null>;

  constructor(private readonly deps: BatchedStatusMovesDeps) {
    this.commit = new GroupCommit({ run: (moves) => this.write(moves), maxBatch: deps.maxBatch ?? 100, maxInFlight: 1 });
  }

  /** The updated message and its event, or null when nothing changed. Rejects after close(). */
  move(move: StatusMove): Promise<StatusMoved | null> {
    return this.commit.submit(move);
  }

  /** Moves waiting for a batch, and batches running. */
  get depth(): { pending: number; inFlight: number } {
    return this.commit.depth;
  }

  /** Refuses new moves and waits until every submitted one is written. Safe to call twice. */
  close(): Promise<void> {
    return this.commit.close();
  }

  private async write(moves: readonly StatusMove[]): Promise<ReadonlyArray<BatchOutcome<StatusMoved | null>>> {
    if (moves.length > 1) {
      try {
        const results = await this.deps.moves.applyMoves(moves);
        return results.map((value) => ({ ok: true, value }));
      } catch (err) {
        this.deps.logger.warn({ err, moves: moves.length }, 'status move batch failed; moving one by one');
      }
    }
    return eachAlone(moves, (m) =>
      this.deps.messages.updateStatusWithEvent(m.instanceId, m.ref, m.status, {
        ...(m.at ? { at: m.at } : {}),
        error: m.error ?? null,
        errorCode: m.errorCode ?? null,
      }),
    );
  }
}

import type { DataSource } from 'typeorm';
import { MessageEntity } from '../entities/message.entity.js';
import { columnList, hydrate, runSql } from '../sql.js';
import type { Tx } from '../transaction-runner.js';

/** What the message kinds need beyond MessageRepository: poll votes on a poll's row, and deleting a row here only. */
export class MessageKindsRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * One voter's vote on a poll (an empty list withdraws it), applied atomically in the jsonb column. A vote older
   * than the voter's stored one is ignored (votes may arrive out of order). Null when the poll is unknown or the
   * vote stale.
   */
  async applyPollVote(
    instanceId: string,
    pollWaMessageId: string,
    vote: { voter: string; options: string[]; at: number },
    tx?: Tx,
  ): Promise<MessageEntity | null> {
    const em = tx ?? this.ds.manager;
    const { rows } = await runSql(
      em,
      `UPDATE "messages" SET
         "poll_votes" = COALESCE("poll_votes", '{}'::jsonb)
           || jsonb_build_object($3::text, jsonb_build_object('options', $4::jsonb, 'at', $5::bigint)),
         "updated_at" = now()
       WHERE "instance_id" = $1 AND "wa_message_id" = $2
         AND COALESCE(("poll_votes" -> $3::text ->> 'at')::bigint, -1) <= $5::bigint
       RETURNING ${columnList(em, MessageEntity)}`,
      [instanceId, pollWaMessageId, vote.voter, JSON.stringify(vote.options), vote.at],
    );
    return rows[0] ? hydrate(em, MessageEntity, rows[0]) : null;
  }

  /** Deletes a message from this instance's store only ("delete for me"). Returns the deleted row, or null. */
  async remove(instanceId: string, id: string, tx?: Tx): Promise<MessageEntity | null> {
    const em = tx ?? this.ds.manager;
    const { rows } = await runSql(
      em,
      `DELETE FROM "messages" WHERE "instance_id" = $1 AND "id" = $2 RETURNING ${columnList(em, MessageEntity)}`,
      [instanceId, id],
    );
    return rows[0] ? hydrate(em, MessageEntity, rows[0]) : null;
  }
}

import type { DataSource } from 'typeorm';
import { LidMappingEntity, type LidMappingSource } from '../entities/lid-mapping.entity.js';
import { columnList, hydrate, runSql } from '../sql.js';
import { inTransaction, type Tx } from '../transaction-runner.js';

export interface LidMappingInput {
  /** `<digits>@lid`. */
  lid: string;
  /** `<digits>@s.whatsapp.net`. */
  pn: string;
  source: LidMappingSource;
  /** How a one-to-one message of this contact was addressed, when the pair came with one. */
  addressing?: 'pn' | 'lid';
}

export interface RecordedMapping {
  mapping: LidMappingEntity;
  /** The pair is new (or the phone had another LID): chats, contacts and messages under the LID were merged. */
  merged: boolean;
}

/**
 * The LID ↔ phone pairs of each instance, and the merge that makes a contact first seen by LID and later by phone
 * one contact and one chat: when a pair is learnt, the LID's chat, contact and messages move to the phone JID.
 */
export class LidMappingRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Stores a pair (a phone's earlier LID is replaced), updates `addressing` when given, and merges what was kept
   * under the LID into the phone JID when the pair is new. Null when nothing changed.
   */
  record(instanceId: string, input: LidMappingInput, tx?: Tx): Promise<RecordedMapping | null> {
    return inTransaction(this.ds, tx, async (em) => {
      const { rows: existing } = await runSql<{ lid: string; pn: string; addressing: string | null }>(
        em,
        `SELECT "lid", "pn", "addressing" FROM "lid_mappings" WHERE "instance_id" = $1 AND ("lid" = $2 OR "pn" = $3) FOR UPDATE`,
        [instanceId, input.lid, input.pn],
      );
      const same = existing.find((r) => r.lid === input.lid && r.pn === input.pn);
      if (same && existing.length === 1 && (input.addressing === undefined || same.addressing === input.addressing)) return null;
      const isNew = !same;
      if (isNew) {
        await runSql(em, `DELETE FROM "lid_mappings" WHERE "instance_id" = $1 AND "pn" = $2 AND "lid" <> $3`, [instanceId, input.pn, input.lid]);
      }
      const { rows } = await runSql(
        em,
        `INSERT INTO "lid_mappings" AS l ("instance_id", "lid", "pn", "source", "addressing") VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT ("instance_id", "lid") DO UPDATE SET
           "pn" = EXCLUDED."pn",
           "source" = CASE WHEN l."pn" = EXCLUDED."pn" THEN l."source" ELSE EXCLUDED."source" END,
           "addressing" = COALESCE(EXCLUDED."addressing", l."addressing"),
           "updated_at" = now()
         RETURNING ${columnList(em, LidMappingEntity)}`,
        [instanceId, input.lid, input.pn, input.source, input.addressing ?? null],
      );
      if (isNew) await this.merge(em, instanceId, input.lid, input.pn);
      return { mapping: hydrate(em, LidMappingEntity, rows[0]!), merged: isNew };
    });
  }

  /** Moves the LID's chat, contact and messages to the phone JID, merging with what the phone JID already has. */
  private async merge(em: Tx, instanceId: string, lid: string, pn: string): Promise<void> {
    const phone = `+${pn.slice(0, pn.indexOf('@'))}`;
    await runSql(
      em,
      `WITH old AS (DELETE FROM "chats" WHERE "instance_id" = $1 AND "jid" = $2 RETURNING *)
       INSERT INTO "chats" AS c ("instance_id", "jid", "name", "is_group", "unread_count", "last_message_at", "archived", "pinned", "muted_until", "read_only", "is_announcement", "marked_spam")
       SELECT "instance_id", $3, "name", false, "unread_count", "last_message_at", "archived", "pinned", "muted_until", "read_only", "is_announcement", "marked_spam" FROM old
       ON CONFLICT ("instance_id", "jid") DO UPDATE SET
         "name" = COALESCE(c."name", EXCLUDED."name"),
         "unread_count" = c."unread_count" + EXCLUDED."unread_count",
         "last_message_at" = GREATEST(c."last_message_at", EXCLUDED."last_message_at"),
         "updated_at" = now()`,
      [instanceId, lid, pn],
    );
    await runSql(
      em,
      `UPDATE "messages" SET "chat_jid" = $3, "updated_at" = now() WHERE "instance_id" = $1 AND "chat_jid" = $2`,
      [instanceId, lid, pn],
    );
    await runSql(
      em,
      `UPDATE "messages" SET "sender_phone" = $3,
         "sender_jid" = CASE WHEN "sender_jid" = $2 THEN $4 ELSE "sender_jid" END, "updated_at" = now()
       WHERE "instance_id" = $1 AND "sender_lid" = $2 AND "sender_phone" IS NULL`,
      [instanceId, lid, phone, pn],
    );
    await runSql(
      em,
      `WITH old AS (DELETE FROM "contacts" WHERE "instance_id" = $1 AND "jid" = $2 RETURNING *)
       INSERT INTO "contacts" AS c ("instance_id", "jid", "lid", "phone", "name", "notify", "verified_name", "img_url")
       SELECT "instance_id", $3, $2, $4, "name", "notify", "verified_name", "img_url" FROM old
       ON CONFLICT ("instance_id", "jid") DO UPDATE SET
         "lid" = EXCLUDED."lid",
         "phone" = COALESCE(c."phone", EXCLUDED."phone"),
         "name" = COALESCE(c."name", EXCLUDED."name"),
         "notify" = COALESCE(c."notify", EXCLUDED."notify"),
         "verified_name" = COALESCE(c."verified_name", EXCLUDED."verified_name"),
         "img_url" = COALESCE(c."img_url", EXCLUDED."img_url"),
         "updated_at" = now()`,
      [instanceId, lid, pn, phone],
    );
    await runSql(
      em,
      `UPDATE "contacts" SET "lid" = $2, "phone" = COALESCE("phone", $4), "updated_at" = now()
       WHERE "instance_id" = $1 AND "jid" = $3 AND "lid" IS DISTINCT FROM $2`,
      [instanceId, lid, pn, phone],
    );
  }

  findByLid(instanceId: string, lid: string): Promise<LidMappingEntity | null> {
    return this.ds.getRepository(LidMappingEntity).findOneBy({ instanceId, lid });
  }

  findByPn(instanceId: string, pn: string): Promise<LidMappingEntity | null> {
    return this.ds.getRepository(LidMappingEntity).findOneBy({ instanceId, pn });
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Message kinds and LID addressing.
 *
 * `messages.content`: the fields of the kinds that are neither text nor media (a location, contact cards, a poll
 * and its tally, a sticker's flags), as one jsonb object `{ kind, ... }`. One column rather than a column per
 * field: the kinds share no fields, each is written once when the message arrives (a poll's tally is the one
 * part that changes, in place), and none is searched by field; fifteen mostly-null columns would say less than
 * one typed union (services/messages/message-content.ts) that the views read.
 *
 * `messages.sender_phone` / `sender_lid`: who wrote it, in both addressings, whenever WhatsApp told us either.
 *
 * `lid_mappings`: each instance's LID ↔ phone pairs, from every source Baileys has (the `lid-mapping.update`
 * event, sender_pn / sender_lid / participant_pn attributes, history sync, usync). One row per LID, one LID per
 * phone. `addressing` is how the contact's last one-to-one message was addressed (`lid` or `pn`), so a send to
 * the phone of a LID-addressed contact goes to the LID, as WhatsApp expects.
 */
export class MessageKindsAndLids1764920000000 implements MigrationInterface {
  name = 'MessageKindsAndLids1764920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "messages" ADD "content" jsonb`);
    await q.query(`ALTER TABLE "messages" ADD "sender_phone" text`);
    await q.query(`ALTER TABLE "messages" ADD "sender_lid" text`);
    await q.query(
      `CREATE INDEX "idx_messages_sender_lid" ON "messages" ("instance_id", "sender_lid") WHERE "sender_lid" IS NOT NULL AND "sender_phone" IS NULL`,
    );
    await q.query(`CREATE TABLE "lid_mappings" (
      "instance_id" text NOT NULL,
      "lid" text NOT NULL,
      "pn" text NOT NULL,
      "source" text NOT NULL,
      "addressing" text,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "lid_mappings_pkey" PRIMARY KEY ("instance_id", "lid"),
      CONSTRAINT "uq_lid_mappings_pn" UNIQUE ("instance_id", "pn"),
      CONSTRAINT "lid_mappings_addressing_check" CHECK ("addressing" IN ('pn', 'lid')),
      CONSTRAINT "lid_mappings_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "lid_mappings"`);
    await q.query(`DROP INDEX "idx_messages_sender_lid"`);
    await q.query(`ALTER TABLE "messages" DROP COLUMN "sender_lid"`);
    await q.query(`ALTER TABLE "messages" DROP COLUMN "sender_phone"`);
    await q.query(`ALTER TABLE "messages" DROP COLUMN "content"`);
  }
}

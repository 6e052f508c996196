import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Contacts, chats, messages, idempotency keys (issue 5); the webhook outbox, sequences and deliveries (issue 6). */
export class MessagingAndWebhooks1763794800000 implements MigrationInterface {
  name = 'MessagingAndWebhooks1763794800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "contacts" (
        "instance_id" text NOT NULL,
        "jid" text NOT NULL,
        "lid" text,
        "phone" text,
        "name" text,
        "notify" text,
        "verified_name" text,
        "img_url" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "contacts_pkey" PRIMARY KEY ("instance_id", "jid"),
        CONSTRAINT "contacts_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "idx_contacts_lid" ON "contacts" ("instance_id", "lid") WHERE "lid" IS NOT NULL`);

    await q.query(`
      CREATE TABLE "chats" (
        "instance_id" text NOT NULL,
        "jid" text NOT NULL,
        "name" text,
        "is_group" boolean NOT NULL DEFAULT false,
        "unread_count" integer NOT NULL DEFAULT 0,
        "last_message_at" timestamptz,
        "archived" boolean NOT NULL DEFAULT false,
        "pinned" boolean NOT NULL DEFAULT false,
        "muted_until" timestamptz,
        "read_only" boolean NOT NULL DEFAULT false,
        "is_announcement" boolean NOT NULL DEFAULT false,
        "marked_spam" boolean NOT NULL DEFAULT false,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "chats_pkey" PRIMARY KEY ("instance_id", "jid"),
        CONSTRAINT "chats_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "idx_chats_last_message_at" ON "chats" ("instance_id", "last_message_at")`);

    await q.query(`
      CREATE TABLE "messages" (
        "id" text PRIMARY KEY,
        "instance_id" text NOT NULL,
        "wa_message_id" text NOT NULL,
        "chat_jid" text NOT NULL,
        "from_me" boolean NOT NULL,
        "sender_jid" text,
        "push_name" text,
        "type" text NOT NULL,
        "text" text,
        "caption" text,
        "media_url" text,
        "media_mimetype" text,
        "media_file_name" text,
        "media_size" bigint,
        "media_sha256" text,
        "media_storage_key" text,
        "media_status" text,
        "media_error" text,
        "ptt" boolean NOT NULL DEFAULT false,
        "mentions" text[],
        "quoted_wa_message_id" text,
        "status" text NOT NULL,
        "error" text,
        "error_code" text,
        "message_timestamp" timestamptz NOT NULL,
        "sent_at" timestamptz,
        "delivered_at" timestamptz,
        "read_at" timestamptz,
        "played_at" timestamptz,
        "failed_at" timestamptz,
        "edited_at" timestamptz,
        "revoked_at" timestamptz,
        "reactions" jsonb NOT NULL DEFAULT '{}',
        "raw" jsonb,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "messages_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances" ("id") ON DELETE CASCADE,
        CONSTRAINT "uq_messages_wa_message_id" UNIQUE ("instance_id", "wa_message_id"),
        CONSTRAINT "messages_status_check"
          CHECK ("status" IN ('queued', 'sending', 'failed', 'sent', 'delivered', 'read', 'played')),
        CONSTRAINT "messages_media_status_check" CHECK ("media_status" IN ('pending', 'stored', 'failed'))
      )`);
    await q.query(`CREATE INDEX "idx_messages_chat" ON "messages" ("instance_id", "chat_jid", "message_timestamp")`);
    await q.query(
      `CREATE INDEX "idx_messages_unsent" ON "messages" ("instance_id") WHERE "status" IN ('queued', 'sending')`,
    );

    await q.query(`
      CREATE TABLE "idempotency_keys" (
        "tenant_id" uuid NOT NULL,
        "instance_id" text NOT NULL,
        "key" text NOT NULL,
        "request_hash" text NOT NULL,
        "response_status" integer NOT NULL,
        "response_body" json NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz NOT NULL,
        CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("tenant_id", "instance_id", "key"),
        CONSTRAINT "idempotency_keys_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON DELETE CASCADE,
        CONSTRAINT "idempotency_keys_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances" ("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "idx_idempotency_keys_expires_at" ON "idempotency_keys" ("expires_at")`);

    await q.query(`
      CREATE TABLE "instance_event_sequences" (
        "instance_id" text NOT NULL,
        "last_sequence" bigint NOT NULL DEFAULT 0,
        CONSTRAINT "instance_event_sequences_pkey" PRIMARY KEY ("instance_id"),
        CONSTRAINT "instance_event_sequences_instance_id_fkey"
          FOREIGN KEY ("instance_id") REFERENCES "instances" ("id") ON DELETE CASCADE
      )`);

    await q.query(`
      CREATE TABLE "webhook_events" (
        "id" text PRIMARY KEY,
        "instance_id" text NOT NULL,
        "instance_name" text NOT NULL,
        "event" text NOT NULL,
        "sequence" bigint NOT NULL,
        "payload" json NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "webhook_events_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances" ("id") ON DELETE CASCADE,
        CONSTRAINT "uq_webhook_events_sequence" UNIQUE ("instance_id", "sequence")
      )`);
    await q.query(`CREATE INDEX "idx_webhook_events_created_at" ON "webhook_events" ("created_at")`);

    await q.query(`
      CREATE TABLE "webhook_deliveries" (
        "id" text PRIMARY KEY,
        "event_id" text NOT NULL,
        "instance_id" text NOT NULL,
        "event" text NOT NULL,
        "url" text NOT NULL,
        "status" text NOT NULL DEFAULT 'pending',
        "attempts" integer NOT NULL DEFAULT 0,
        "last_status_code" integer,
        "last_error" text,
        "last_attempt_at" timestamptz,
        "next_attempt_at" timestamptz,
        "claim_token" uuid,
        "delivered_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "webhook_deliveries_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "webhook_events" ("id") ON DELETE CASCADE,
        CONSTRAINT "webhook_deliveries_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances" ("id") ON DELETE CASCADE,
        CONSTRAINT "uq_webhook_deliveries_event_url" UNIQUE ("event_id", "url"),
        CONSTRAINT "webhook_deliveries_status_check" CHECK ("status" IN ('pending', 'delivering', 'succeeded', 'failed'))
      )`);
    await q.query(
      `CREATE INDEX "idx_webhook_deliveries_due" ON "webhook_deliveries" ("next_attempt_at") WHERE "status" IN ('pending', 'delivering')`,
    );
    await q.query(`CREATE INDEX "idx_webhook_deliveries_instance" ON "webhook_deliveries" ("instance_id", "created_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "webhook_deliveries"`);
    await q.query(`DROP TABLE "webhook_events"`);
    await q.query(`DROP TABLE "instance_event_sequences"`);
    await q.query(`DROP TABLE "idempotency_keys"`);
    await q.query(`DROP TABLE "messages"`);
    await q.query(`DROP TABLE "chats"`);
    await q.query(`DROP TABLE "contacts"`);
  }
}

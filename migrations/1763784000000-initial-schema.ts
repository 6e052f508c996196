import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tenants, users, API keys and instances (issue 2). */
export class InitialSchema1763784000000 implements MigrationInterface {
  name = 'InitialSchema1763784000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "tenants" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "name" text NOT NULL,
        "plan" text NOT NULL DEFAULT 'starter' CHECK ("plan" IN ('starter', 'pro', 'enterprise')),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE "users" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "tenant_id" uuid NOT NULL REFERENCES "tenants" ("id") ON DELETE CASCADE,
        "email" text NOT NULL,
        "password_hash" text NOT NULL,
        "role" text NOT NULL DEFAULT 'owner' CHECK ("role" IN ('owner', 'platform_admin')),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "uq_users_email" UNIQUE ("email")
      )`);
    await q.query(`CREATE INDEX "idx_users_tenant_id" ON "users" ("tenant_id")`);
    await q.query(`
      CREATE TABLE "api_keys" (
        "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        "tenant_id" uuid NOT NULL REFERENCES "tenants" ("id") ON DELETE CASCADE,
        "user_id" uuid NOT NULL REFERENCES "users" ("id") ON DELETE CASCADE,
        "name" text NOT NULL,
        "prefix" text NOT NULL,
        "key_hash" text NOT NULL,
        "last_used_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "uq_api_keys_key_hash" UNIQUE ("key_hash")
      )`);
    await q.query(`CREATE INDEX "idx_api_keys_tenant_id" ON "api_keys" ("tenant_id")`);
    await q.query(`
      CREATE TABLE "instances" (
        "id" text PRIMARY KEY,
        "tenant_id" uuid NOT NULL REFERENCES "tenants" ("id") ON DELETE CASCADE,
        "name" text NOT NULL,
        "phone" text,
        "status" text NOT NULL DEFAULT 'created'
          CHECK ("status" IN ('created', 'qr', 'connected', 'disconnected', 'banned')),
        "status_reason" text,
        "profile_pic_url" text,
        "webhook_url" text,
        "webhook_events" text[],
        "webhook_secret" text,
        "active" boolean NOT NULL DEFAULT true,
        "node_id" text,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX "idx_instances_tenant_id" ON "instances" ("tenant_id", "created_at")`);
    await q.query(`CREATE INDEX "idx_instances_status" ON "instances" ("status")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "instances"`);
    await q.query(`DROP TABLE "api_keys"`);
    await q.query(`DROP TABLE "users"`);
    await q.query(`DROP TABLE "tenants"`);
  }
}

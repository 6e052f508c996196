import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each webhook delivery keeps the history of its attempts (the last 20: when, the answer's status and start, the
 * error, how long it took), so the delivery log can show why a delivery failed before it succeeded. Read on its
 * own (WebhookDeliveryRepository.attemptLog), not with the row: the claim statement stays as lean as it was.
 */
export class WebhookAttemptLog1764970000000 implements MigrationInterface {
  name = 'WebhookAttemptLog1764970000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "webhook_deliveries" ADD "attempt_log" jsonb NOT NULL DEFAULT '[]'::jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "webhook_deliveries" DROP COLUMN "attempt_log"`);
  }
}

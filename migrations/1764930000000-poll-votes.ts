import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Poll votes, decrypted: per voter the options chosen and when (`{ [voterJid]: { options, at } }`), kept on the
 * poll's message row so its tally is read with it.
 */
export class PollVotes1764930000000 implements MigrationInterface {
  name = 'PollVotes1764930000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "messages" ADD "poll_votes" jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "messages" DROP COLUMN "poll_votes"`);
  }
}

import { Writable } from 'node:stream';
import { createLogger } from '../../../src/create-logger.js';
import { runSql } from '../../../src/persistence/sql.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

/** Issue 16 item 8: a failed query is logged with its SQLSTATE and statement name, never its parameters. */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

const SECRET = 'sk_live_4f2a9c-sealed-webhook-secret';

function capture(): { logger: ReturnType<typeof createLogger>; lines: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ logLevel: 'info', nodeId: 'test' }, stream), lines: () => chunks.join('') };
}

async function failure(fn: () => Promise<unknown>): Promise<unknown> {
  return fn().then(
    () => {
      throw new Error('expected the query to fail');
    },
    (err: unknown) => err,
  );
}

describe('failed queries in the logs', () => {
  it('a TypeORM query: code and statement, not the parameters', async () => {
    const err = await failure(() => db.dataSource.query('SELECT $1::uuid AS id, $2::text AS secret', [SECRET, SECRET]));
    const { logger, lines } = capture();
    logger.error({ err }, 'request failed');
    const out = lines();
    expect(out).not.toContain(SECRET);
    const logged = JSON.parse(out) as { err: Record<string, unknown> };
    expect(logged.err).toMatchObject({ code: '22P02', statement: expect.stringMatching(/^sql_[0-9a-f]{12}$/) });
    expect(logged.err).not.toHaveProperty('parameters');
    expect(logged.err).not.toHaveProperty('driverError');
  });

  it('a raw statement (runSql): the constraint, not the duplicated value Postgres quotes back', async () => {
    // A temp table lives on one connection: use one query runner for both statements.
    const runner = db.dataSource.createQueryRunner();
    try {
      await runner.query('CREATE TEMP TABLE keys_for_test (h text PRIMARY KEY)');
      await runSql(runner.manager, 'INSERT INTO keys_for_test (h) VALUES ($1)', [SECRET]);
      const err = await failure(() => runSql(runner.manager, 'INSERT INTO keys_for_test (h) VALUES ($1)', [SECRET]));
      expect(JSON.stringify((err as { detail?: string }).detail)).toContain(SECRET); // Postgres does quote it
      const { logger, lines } = capture();
      logger.error({ err }, 'insert failed');
      const out = lines();
      expect(out).not.toContain(SECRET);
      const logged = JSON.parse(out) as { err: Record<string, unknown> };
      expect(logged.err).toMatchObject({ code: '23505', constraint: 'keys_for_test_pkey', statement: expect.stringMatching(/^(zap|sql)_/) });
    } finally {
      await runner.release();
    }
  });

  it('other errors keep their message and stack', () => {
    const { logger, lines } = capture();
    logger.error({ err: new Error('plain failure') }, 'x');
    expect(JSON.parse(lines())).toMatchObject({ err: { type: 'Error', message: 'plain failure', stack: expect.stringContaining('plain failure') } });
  });
});

import { createDataSource, openPoolConnections } from '../../../src/persistence/create-data-source.js';
import { runSql } from '../../../src/persistence/sql.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

/** Backends connected to the test database, apart from the one asking. */
async function backends(): Promise<number> {
  const { rows } = await runSql<{ n: number }>(
    db.dataSource.manager,
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  return rows[0]!.n;
}

describe('the server pool: connections kept, statements prepared', () => {
  it('opens every connection at start and keeps them open', async () => {
    const before = await backends();
    const server = createDataSource({ url: db.url, poolSize: 4, keepConnections: true });
    await server.initialize();
    try {
      expect(await openPoolConnections(server)).toBe(4);
      expect((await backends()) - before).toBeGreaterThanOrEqual(4);
      const pool = (server.driver as unknown as { master: { options: { min: number; max: number } } }).master;
      expect(pool.options).toMatchObject({ min: 4, max: 4 }); // none closed when idle
      // The open connections serve statements as usual.
      expect((await runSql<{ one: number }>(server.manager, 'SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await server.destroy();
    }
  });

  it('tests and tools keep the default: connections close when idle', () => {
    const plain = createDataSource({ url: db.url, poolSize: 4 });
    const options = (plain.options as { extra: { min: number; max: number } }).extra;
    expect(options).toMatchObject({ min: 0, max: 4 });
  });

  it('prepares runSql statements once per connection, or never when prepared statements are off', async () => {
    const preparedNames = async (preparedStatements: boolean): Promise<string[]> => {
      const ds = createDataSource({ url: db.url, poolSize: 1, preparedStatements });
      await ds.initialize();
      try {
        await runSql(ds.manager, 'SELECT 41 + 1 AS answer');
        await runSql(ds.manager, 'SELECT 41 + 1 AS answer');
        // The pool's one connection: its prepared statements.
        const { rows } = await runSql<{ name: string }>(ds.manager, 'SELECT name FROM pg_prepared_statements ORDER BY name');
        return rows.map((r) => r.name);
      } finally {
        await ds.destroy();
      }
    };
    const on = await preparedNames(true);
    expect(on.filter((n) => n.startsWith('zap_')).length).toBeGreaterThanOrEqual(1);
    expect(await preparedNames(false)).toEqual([]);
  });
});

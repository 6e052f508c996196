import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import { createDataSource } from '../../src/persistence/create-data-source.js';

/** Server URL for tests; TEST_DATABASE_URL's database part is ignored (each file gets its own). */
const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The migrated template; its name changes whenever the migration list does, so stale templates are never used. */
export function templateName(): string {
  const hash = createHash('sha256').update(migrations.map((m) => m.name).join(',')).digest('hex').slice(0, 12);
  return `zap_tpl_${hash}`;
}

export async function withAdminClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates the migrated template database once (serialised by an advisory lock across concurrent runs). */
export async function ensureTemplate(): Promise<string> {
  const name = templateName();
  await withAdminClient(async (client) => {
    await client.query('SELECT pg_advisory_lock(727001)');
    try {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (found.rowCount) return;
      const building = `${name}_build`;
      await client.query(`DROP DATABASE IF EXISTS "${building}"`);
      await client.query(`CREATE DATABASE "${building}"`);
      const ds = createDataSource({ url: databaseUrl(building), poolSize: 1 });
      await ds.initialize();
      try {
        await ds.runMigrations({ transaction: 'each' });
      } finally {
        await ds.destroy();
      }
      await client.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
      await client.query(`ALTER DATABASE "${name}" WITH IS_TEMPLATE true`);
    } finally {
      await client.query('SELECT pg_advisory_unlock(727001)');
    }
  });
  return name;
}

/** Drops per-file test databases left over by runs that crashed more than an hour ago. */
export async function dropStaleTestDatabases(): Promise<void> {
  await withAdminClient(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'zap_t\\_%'",
    );
    const cutoff = Math.floor(Date.now() / 1000) - 3600;
    for (const { datname } of rows) {
      const created = Number(datname.split('_')[2]);
      if (Number.isFinite(created) && created < cutoff) {
        await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
    }
  });
}

export interface TestDatabase {
  name: string;
  url: string;
  dataSource: DataSource;
  /** Closes the data source and drops the database; safe to call twice. */
  close(): Promise<void>;
}

/** A fresh, migrated database for one test file: a copy of the template (fast). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = templateName();
  const name = `zap_t_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
  await withAdminClient(async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (err) {
        // Another file copying the template at the same moment: wait and retry.
        if (attempt >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  });
  const url = databaseUrl(name);
  const dataSource = createDataSource({ url, poolSize: 20 });
  await dataSource.initialize();
  let closed = false;
  return {
    name,
    url,
    dataSource,
    async close() {
      if (closed) return;
      closed = true;
      if (dataSource.isInitialized) await dataSource.destroy();
      await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

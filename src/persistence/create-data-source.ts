import { DataSource } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import { entities } from './entities.js';
import { disablePreparedStatements, pgPoolOf } from './sql.js';

export interface DataSourceOptions {
  url: string;
  /** Run pending migrations in initialize(); main does, tests use a migrated template instead. */
  migrationsRun?: boolean;
  poolSize?: number;
  /**
   * Keep every pooled connection open once made, instead of closing it after 10 s idle (the server does: a burst
   * after a quiet spell then pays neither new backends nor the prepared statements again). Tests leave it off:
   * they open many databases at once.
   */
  keepConnections?: boolean;
  /** Run runSql's statements as named prepared statements (default true); off behind PgBouncer in transaction mode. */
  preparedStatements?: boolean;
}

/** Builds (does not connect) the TypeORM data source. Never synchronize: the schema comes from migrations/. */
export function createDataSource(options: DataSourceOptions): DataSource {
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url,
    entities,
    migrations,
    migrationsRun: options.migrationsRun ?? false,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: {
      max: options.poolSize ?? 10,
      min: options.keepConnections ? (options.poolSize ?? 10) : 0,
      connectionTimeoutMillis: 5000,
    },
  });
  if (options.preparedStatements === false) disablePreparedStatements(dataSource);
  return dataSource;
}

/**
 * Opens the pool's connections now (all of them at once, then back to the pool), so the first burst of traffic
 * does not wait for Postgres to start backends. Use with `keepConnections`.
 */
export async function openPoolConnections(dataSource: DataSource): Promise<number> {
  const pool = pgPoolOf(dataSource);
  const size = pool.options.max;
  const clients = await Promise.all(Array.from({ length: size }, () => pool.connect()));
  for (const client of clients) client.release();
  return clients.length;
}

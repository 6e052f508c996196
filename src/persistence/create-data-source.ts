import { DataSource } from 'typeorm';
import { migrations } from '../../migrations/index.js';
import { entities } from './entities.js';

export interface DataSourceOptions {
  url: string;
  /** Run pending migrations in initialize(); main does, tests use a migrated template instead. */
  migrationsRun?: boolean;
  poolSize?: number;
}

/** Builds (does not connect) the TypeORM data source. Never synchronize: the schema comes from migrations/. */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities,
    migrations,
    migrationsRun: options.migrationsRun ?? false,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: options.poolSize ?? 10, connectionTimeoutMillis: 5000 },
  });
}

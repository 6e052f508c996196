import { createHash } from 'node:crypto';
import { statementLabel } from '../log-error-serializer.js';
import type { DataSource, EntityManager, EntityTarget, ObjectLiteral, ValueTransformer } from 'typeorm';

export interface SqlResult<T> {
  rows: T[];
  /** Rows inserted, updated, deleted or selected. */
  rowCount: number;
}

/** The slice of a pg Pool or Client that runSql uses. */
interface PgQueryable {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/** The slice of pg's Pool the persistence layer uses directly. */
export interface PgPool extends PgQueryable {
  options: { max: number };
  connect(): Promise<{ release(): void }>;
}

/** The pg Pool under an initialized TypeORM data source (its driver's `master`). */
export function pgPoolOf(dataSource: DataSource): PgPool {
  return (dataSource.driver as unknown as { master: PgPool }).master;
}

/**
 * Names of the statements run so far, by text. A named statement is parsed and planned once per connection and
 * then only bound and executed: for the hot statements (a message with its chat and webhook event, a claim) this
 * halves Postgres' CPU per statement (≈ 1.1 → 0.5 ms measured here). Statement texts come from code, so there are
 * few; past the cap, new texts run unnamed rather than filling every backend's memory.
 */
const statementNames = new Map<string, string>();
const MAX_NAMED_STATEMENTS = 500;
/** Data sources whose statements must run unnamed (see createDataSource's `preparedStatements`). */
const unnamedSources = new WeakSet<DataSource>();

/** Runs every statement of `dataSource` unnamed (for poolers that do not keep prepared statements). */
export function disablePreparedStatements(dataSource: DataSource): void {
  unnamedSources.add(dataSource);
}

function statementName(dataSource: DataSource, text: string): string | undefined {
  if (unnamedSources.has(dataSource)) return undefined;
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_NAMED_STATEMENTS) {
    name = `zap_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Runs one statement through `em` (inside its transaction when it has one) as a named prepared statement (unless
 * disabled for its data source), and returns the rows and the affected count whatever the command. It goes to pg
 * directly (the pool, or the transaction's connection): TypeORM's query path costs more than the statement's own
 * client work. Errors are pg's (`code` is the SQLSTATE; see isUniqueViolation).
 */
export async function runSql<T = Record<string, unknown>>(
  em: EntityManager,
  text: string,
  params: unknown[] = [],
): Promise<SqlResult<T>> {
  const target: PgQueryable = em.queryRunner
    ? ((await em.queryRunner.connect()) as PgQueryable)
    : pgPoolOf(em.connection);
  const name = statementName(em.connection, text);
  let result: Awaited<ReturnType<PgQueryable['query']>>;
  try {
    result = await target.query({ name, text, values: params });
  } catch (err) {
    // Logged by name (see log-error-serializer.ts): the parameters never leave this function.
    if (typeof err === 'object' && err !== null) (err as { statement?: string }).statement = name ?? statementLabel(text);
    throw err;
  }
  const rows = result.rows as T[];
  return { rows, rowCount: result.rowCount ?? rows.length };
}

/**
 * `"alias"."db_name" AS "<prefix>propertyName", ...` for every column of an entity: RETURNING or SELECT lists for
 * raw SQL, read back with `hydrate` (same prefix).
 */
export function columnList(em: EntityManager, target: EntityTarget<ObjectLiteral>, alias?: string, prefix = ''): string {
  const qualifier = alias ? `"${alias}".` : '';
  return em.connection
    .getMetadata(target)
    .columns.map((c) => `${qualifier}"${c.databaseName}" AS "${prefix}${c.propertyName}"`)
    .join(', ');
}

/** Turns a row selected with `columnList` into an entity, applying column transformers (bigint → number). */
export function hydrate<T extends ObjectLiteral>(
  em: EntityManager,
  target: EntityTarget<T>,
  row: Record<string, unknown>,
  prefix = '',
): T {
  const metadata = em.connection.getMetadata(target);
  const entity = metadata.create() as T;
  for (const column of metadata.columns) {
    const raw = row[`${prefix}${column.propertyName}`];
    const transformer = column.transformer as ValueTransformer | undefined;
    (entity as Record<string, unknown>)[column.propertyName] =
      transformer && !Array.isArray(transformer) && raw !== undefined ? transformer.from(raw) : raw;
  }
  return entity;
}

/**
 * The column list, placeholders and parameters of an INSERT of `values` (by property name; undefined ones are
 * left to the column default). json and jsonb values are serialised here: pg would turn a JS array into a Postgres array.
 */
export function insertParts(
  em: EntityManager,
  target: EntityTarget<ObjectLiteral>,
  values: Record<string, unknown>,
  firstParam = 1,
): { columns: string; placeholders: string; params: unknown[] } {
  const metadata = em.connection.getMetadata(target);
  const columns: string[] = [];
  const params: unknown[] = [];
  for (const column of metadata.columns) {
    const value = values[column.propertyName];
    if (value === undefined) continue;
    columns.push(`"${column.databaseName}"`);
    params.push(toParam(column, value));
  }
  return {
    columns: columns.join(', '),
    placeholders: params.map((_v, i) => `$${i + firstParam}`).join(', '),
    params,
  };
}

/** Postgres bigint as a JavaScript number (pg returns a string); our bigint values stay far below 2^53. */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? value : Number(value)),
};

/** A value as a parameter for a column: json/jsonb serialised (pg would turn a JS array into a Postgres array), NUL stripped. */
export function toParam(column: { type: unknown }, value: unknown): unknown {
  if (column.type === 'jsonb' || column.type === 'json') return jsonParam(value);
  return typeof value === 'string' ? withoutNul(value) : value;
}

/** Postgres text and jsonb reject U+0000; WhatsApp content may carry it. Strips it from strings. */
export function withoutNul<T extends string | null | undefined>(value: T): T {
  return (typeof value === 'string' && value.includes('\u0000') ? value.replaceAll('\u0000', '') : value) as T;
}

/** JSON for a json or jsonb parameter, with U+0000 removed from every string; undefined and null become SQL NULL. */
export function jsonParam(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? withoutNul(v) : v));
}

const selectOneText = new Map<string, string>();

/**
 * `findOneBy` for hot paths: one row of `target` whose properties equal `where`, by a plain SELECT (TypeORM's
 * query builder costs several times the round trip in CPU). The SQL text is built once per entity and key set.
 */
export async function selectOne<T extends ObjectLiteral>(
  em: EntityManager,
  target: EntityTarget<T>,
  where: Partial<Record<keyof T & string, string | number | boolean>>,
): Promise<T | null> {
  const metadata = em.connection.getMetadata(target);
  const keys = Object.keys(where).sort();
  const cacheKey = `${metadata.tableName}|${keys.join(',')}`;
  let text = selectOneText.get(cacheKey);
  if (!text) {
    const conditions = keys.map((key, i) => {
      const column = metadata.findColumnWithPropertyName(key);
      if (!column) throw new Error(`${metadata.name} has no property ${key}`);
      return `"${column.databaseName}" = $${i + 1}`;
    });
    text = `SELECT ${columnList(em, target)} FROM "${metadata.tableName}" WHERE ${conditions.join(' AND ')} LIMIT 1`;
    selectOneText.set(cacheKey, text);
  }
  const { rows } = await runSql(em, text, keys.map((key) => where[key as keyof T & string]));
  return rows[0] ? hydrate(em, target, rows[0]) : null;
}

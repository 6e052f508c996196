import type { EntityManager } from 'typeorm';
import { runSql } from '../sql.js';

/** A column that a batch upsert may write, besides `instance_id` and the key. */
export interface BatchColumn {
  name: string;
  /** The Postgres element type of the parameter array: text, boolean, integer, timestamptz. */
  type: 'text' | 'boolean' | 'integer' | 'timestamptz';
  /** SQL default for new rows when the value is not given; present for NOT NULL columns. */
  default?: string;
  /** SQL for the new value of an existing row given the old (`t.<col>`) and the input (`i.<col>`); default: the input. */
  merge?: (old: string, input: string) => string;
}

/** One row: `values` by column name; a value left undefined (or null for a NOT NULL column) keeps the stored one. */
export interface BatchRow {
  key: string;
  values: Record<string, unknown>;
}

export interface BatchUpsertResult {
  inserted: number;
  /** Existing rows that changed; rows whose values were already stored are neither inserted nor updated. */
  updated: number;
}

/** Postgres' limit is 65,535 bind parameters; unnest takes one per column, so this only bounds statement size. */
const CHUNK = 5000;

/**
 * Inserts or partially updates many rows of a per-instance table keyed by (instance_id, <key>), in two statements
 * inside the caller's transaction: INSERT ... ON CONFLICT DO NOTHING for new keys, then one UPDATE that touches
 * only the given columns of the others (rows whose values are already stored are left alone). Rows repeating a
 * key are merged (later values win); rows are locked in key order, so concurrent batches do not deadlock.
 */
export async function batchUpsert(
  em: EntityManager,
  spec: { table: string; key: string; instanceId: string; columns: readonly BatchColumn[] },
  input: readonly BatchRow[],
): Promise<BatchUpsertResult> {
  const merged = new Map<string, Record<string, unknown>>();
  for (const row of input) {
    const into = merged.get(row.key) ?? {};
    for (const [name, value] of Object.entries(row.values)) if (value !== undefined) into[name] = value;
    merged.set(row.key, into);
  }
  const keys = [...merged.keys()].sort();
  const total: BatchUpsertResult = { inserted: 0, updated: 0 };
  for (let start = 0; start < keys.length; start += CHUNK) {
    const chunk = keys.slice(start, start + CHUNK);
    const result = await upsertChunk(em, spec, chunk, merged);
    total.inserted += result.inserted;
    total.updated += result.updated;
  }
  return total;
}

async function upsertChunk(
  em: EntityManager,
  spec: { table: string; key: string; instanceId: string; columns: readonly BatchColumn[] },
  keys: string[],
  rows: Map<string, Record<string, unknown>>,
): Promise<BatchUpsertResult> {
  const { table, key, columns } = spec;
  const valueArrays = columns.map((c) =>
    keys.map((k) => {
      const v = rows.get(k)?.[c.name];
      return v === undefined ? null : v;
    }),
  );
  const setArrays = columns.map((c) =>
    keys.map((k) => {
      const v = rows.get(k)?.[c.name];
      return v !== undefined && (v !== null || c.default === undefined);
    }),
  );

  // $1 instance, $2 keys, then one array per column, then one "given" flag array per column.
  const valueParams = columns.map((c, i) => `$${i + 3}::${c.type}[]`);
  const setParams = columns.map((_c, i) => `$${i + 3 + columns.length}::boolean[]`);
  const valueNames = columns.map((c) => `"${c.name}"`);
  const setNames = columns.map((c) => `"${c.name}__set"`);
  const params = [spec.instanceId, keys, ...valueArrays, ...setArrays];

  const insertValues = columns.map((c) => (c.default !== undefined ? `COALESCE(i."${c.name}", ${c.default})` : `i."${c.name}"`));
  const inserted = await runSql<{ k: string }>(
    em,
    `INSERT INTO "${table}" ("instance_id", "${key}", ${valueNames.join(', ')})
     SELECT $1, i."__key", ${insertValues.join(', ')}
     FROM unnest($2::text[], ${valueParams.join(', ')}) WITH ORDINALITY AS i("__key", ${valueNames.join(', ')}, "__ord")
     ORDER BY i."__ord"
     ON CONFLICT ("instance_id", "${key}") DO NOTHING
     RETURNING "${key}" AS k`,
    params.slice(0, 2 + columns.length),
  );
  if (inserted.rows.length === keys.length) return { inserted: inserted.rows.length, updated: 0 };

  const newValue = (c: BatchColumn) => {
    const input = `i."${c.name}"`;
    const old = `t."${c.name}"`;
    return `CASE WHEN i."${c.name}__set" THEN ${c.merge ? c.merge(old, input) : input} ELSE ${old} END`;
  };
  const insertedKeys = inserted.rows.map((r) => r.k);
  // Lock the existing rows in key order first: UPDATE ... FROM locks in join order, and two batches locking the
  // same rows in different orders would deadlock.
  await runSql(
    em,
    `SELECT 1 FROM "${table}" WHERE "instance_id" = $1 AND "${key}" = ANY($2::text[]) AND NOT ("${key}" = ANY($3::text[]))
     ORDER BY "${key}" FOR NO KEY UPDATE`,
    [spec.instanceId, keys, insertedKeys],
  );
  const updated = await runSql(
    em,
    `UPDATE "${table}" AS t
     SET ${columns.map((c) => `"${c.name}" = ${newValue(c)}`).join(', ')}, "updated_at" = now()
     FROM unnest($2::text[], ${valueParams.join(', ')}, ${setParams.join(', ')}) AS i("__key", ${valueNames.join(', ')}, ${setNames.join(', ')})
     WHERE t."instance_id" = $1 AND t."${key}" = i."__key"
       AND NOT (i."__key" = ANY($${3 + 2 * columns.length}::text[]))
       AND (${columns.map((c) => `t."${c.name}"`).join(', ')}) IS DISTINCT FROM (${columns.map(newValue).join(', ')})`,
    [...params, insertedKeys],
  );
  return { inserted: inserted.rows.length, updated: updated.rowCount };
}

import { createHash } from 'node:crypto';
import pino from 'pino';

/**
 * Fields of database errors that can carry stored values: TypeORM's QueryFailedError keeps the statement's
 * `parameters` (an API-key hash, a sealed secret...) and the pg error (`driverError`); pg's `detail` quotes the
 * offending row ("Key (email)=(...)"), `where`/`internalQuery` quote SQL with values.
 */
const VALUE_FIELDS = ['parameters', 'query', 'driverError', 'detail', 'where', 'internalQuery', 'hint'] as const;

/** A SQLSTATE: five digits or capitals. */
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The name a statement is logged under: its prepared-statement name when it has one, else a hash of its text. */
export function statementLabel(text: string): string {
  return `sql_${createHash('sha1').update(text).digest('hex').slice(0, 12)}`;
}

function isDatabaseError(err: Record<string, unknown>): boolean {
  return 'parameters' in err || 'driverError' in err || (typeof err.code === 'string' && SQLSTATE.test(err.code) && 'severity' in err);
}

/** A database error as it may be logged: type, message, SQLSTATE, statement name, table/constraint; no values. */
function scrubDatabaseError(raw: Record<string, unknown>, serialized: Record<string, unknown>): Record<string, unknown> {
  const driver = (typeof raw.driverError === 'object' && raw.driverError !== null ? raw.driverError : raw) as Record<string, unknown>;
  const out: Record<string, unknown> = { ...serialized };
  for (const field of VALUE_FIELDS) delete out[field];
  out.code = driver.code ?? raw.code;
  // Data exceptions (SQLSTATE class 22) quote the offending input in their message: keep only the code.
  if (typeof out.code === 'string' && out.code.startsWith('22') && typeof out.message === 'string') {
    const original = out.message;
    out.message = `data exception ${out.code}`;
    if (typeof out.stack === 'string') out.stack = out.stack.split(original).join(out.message as string);
  }
  const statement = raw.statement ?? driver.statement ?? (typeof raw.query === 'string' ? statementLabel(raw.query) : undefined);
  if (statement !== undefined) out.statement = statement;
  for (const field of ['table', 'constraint', 'column', 'severity', 'routine'] as const) {
    if (driver[field] !== undefined) out[field] = driver[field];
  }
  return out;
}

/**
 * pino's `err` serializer, with database errors reduced to their code and statement name: never the statement's
 * parameters or the values Postgres quotes back. Causes are scrubbed the same way.
 */
export function serializeError(err: unknown): unknown {
  if (typeof err !== 'object' || err === null) return err;
  const serialized = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  const raw = err as Record<string, unknown>;
  const out = isDatabaseError(raw) ? scrubDatabaseError(raw, serialized) : serialized;
  if (raw.cause !== undefined && typeof raw.cause === 'object') out.cause = serializeError(raw.cause);
  return out;
}

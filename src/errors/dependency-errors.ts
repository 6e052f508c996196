/**
 * Recognises the errors Redis (ioredis) and Postgres (pg, through TypeORM) throw while they cannot be reached: the
 * one error mapping (http/domain-errors.ts) answers them with 503 SERVICE_UNAVAILABLE and Retry-After instead of a
 * 500, so a client can tell an outage (retry later) from a bug; the engine event router retries the handlers they
 * fail. Duck-typed on name, code and message: no driver is imported.
 */
export type Dependency = 'redis' | 'postgres';

/** ioredis: a command given up on while the connection is down, or issued on a closed one. */
const REDIS_NAMES = new Set(['MaxRetriesPerRequestError']);
const REDIS_MESSAGES = [
  /^Reached the max retries per request limit/,
  /^Connection is closed\.?$/,
  /^Stream isn't writeable and enableOfflineQueue options is false/,
  /^Redis connection .*(lost|closed|ended)/i,
];

/** pg: SQLSTATE class 08 (connection exception), 57P01-57P03 (shutdown, crash, starting up), 53300 (too many connections). */
const PG_CODES = /^(08\d{3}|57P0[123]|53300)$/;
const PG_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /^Client has encountered a connection error/,
  /^Cannot use a pool after calling end/,
  /terminating connection due to administrator command/,
  /the database system is (starting up|shutting down|in recovery mode)/,
];

/**
 * TypeORM releases a query runner by itself only when its pooled connection fails (the pg client's `error` event, e.g.
 * 57P01 when Postgres shuts down between two statements of a transaction); the next statement of that transaction
 * then throws this instead of a pg error. Measured: an idle-in-transaction backend terminated, then `query`,
 * `commitTransaction` and `rollbackTransaction` all throw it. (Our code never keeps a transaction's manager past its
 * callback, the other way to get it.)
 */
const PG_RELEASED_NAMES = new Set(['QueryRunnerAlreadyReleasedError']);

/** Node socket errors: the dependency is named by the error's driver when it can be told (else null). */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTCONN']);

/** The dependency an error says is unreachable, 'unknown' for a bare socket error, null for anything else. */
export function unreachableDependency(err: unknown): Dependency | 'unknown' | null {
  if (!(err instanceof Error)) return null;
  const { name, message } = err;
  const code = (err as Error & { code?: unknown }).code;
  const driverError = (err as Error & { driverError?: unknown }).driverError;
  if (REDIS_NAMES.has(name) || REDIS_MESSAGES.some((re) => re.test(message))) return 'redis';
  if (PG_RELEASED_NAMES.has(name)) return 'postgres';
  if (name === 'QueryFailedError' || driverError !== undefined) {
    const inner = driverError instanceof Error ? driverError : err;
    const innerCode = (inner as Error & { code?: unknown }).code;
    if ((typeof innerCode === 'string' && (PG_CODES.test(innerCode) || SOCKET_CODES.has(innerCode))) || PG_MESSAGES.some((re) => re.test(inner.message))) {
      return 'postgres';
    }
    return null;
  }
  if (typeof code === 'string' && PG_CODES.test(code)) return 'postgres';
  if (PG_MESSAGES.some((re) => re.test(message))) return 'postgres';
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return 'unknown';
  const cause = (err as Error & { cause?: unknown }).cause;
  return cause !== undefined && cause !== err ? unreachableDependency(cause) : null;
}

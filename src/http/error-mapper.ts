import { AppError } from '../errors/app-error.js';
import { RETRY_AFTER_SECONDS, toHttpError } from './domain-errors.js';

export interface ErrorBody {
  success: false;
  error: { code: string; message: string; details?: unknown; requestId?: string };
}

export interface MappedError {
  status: number;
  body: ErrorBody;
  /** True when the error was not expected (a bug or an outage) and must be logged as such. */
  unexpected: boolean;
  headers: Record<string, string>;
}

interface BodyParserError {
  type: string;
  status?: number;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  return typeof err === 'object' && err !== null && typeof (err as { type?: unknown }).type === 'string'
    && typeof (err as { status?: unknown }).status === 'number';
}

const bodyParserErrors: Record<string, { status: number; code: string; message: string }> = {
  'entity.parse.failed': { status: 400, code: 'MALFORMED_JSON', message: 'Request body is not valid JSON' },
  'entity.too.large': { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' },
  'encoding.unsupported': { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported content encoding' },
  'charset.unsupported': { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported charset' },
  'request.aborted': { status: 400, code: 'REQUEST_ABORTED', message: 'Request aborted' },
  'request.size.invalid': { status: 400, code: 'BAD_REQUEST', message: 'Request size did not match Content-Length' },
};

const GENERIC_CLIENT_ERRORS: Record<number, { code: string; message: string }> = {
  400: { code: 'BAD_REQUEST', message: 'The request could not be understood' },
  413: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' },
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported request content' },
};

/**
 * A 4xx that a library already decided on (body parsers, the router's URI decoding, http-errors): `status` or
 * `statusCode` between 400 and 499. Its message is not passed on (it may quote internals); the code says enough.
 */
function clientStatusOf(err: unknown): number | null {
  if (typeof err !== 'object' || err === null) return null;
  const { status, statusCode } = err as { status?: unknown; statusCode?: unknown };
  const value = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : null;
  return value !== null && Number.isInteger(value) && value >= 400 && value <= 499 ? value : null;
}

/** Maps anything thrown while serving a request to the one error shape; never exposes internals. */
export function mapError(thrown: unknown, requestId: string): MappedError {
  const err = toHttpError(thrown);
  const headers: Record<string, string> = {};
  if (err instanceof AppError) {
    const error: ErrorBody['error'] = { code: err.code, message: err.message };
    if (err.details !== undefined) error.details = err.details;
    if (err.status === 503) {
      const after = (err.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
      headers['Retry-After'] = String(typeof after === 'number' ? after : RETRY_AFTER_SECONDS);
    } else if (err.status === 429 && typeof (err.details as { retryAfterSeconds?: unknown })?.retryAfterSeconds === 'number') {
      headers['Retry-After'] = String((err.details as { retryAfterSeconds: number }).retryAfterSeconds);
    }
    if (err.status >= 500) error.requestId = requestId;
    return { status: err.status, body: { success: false, error }, unexpected: err.status >= 500, headers };
  }
  if (isBodyParserError(err)) {
    const known = bodyParserErrors[err.type];
    if (known) {
      return {
        status: known.status,
        body: { success: false, error: { code: known.code, message: known.message } },
        unexpected: false,
        headers,
      };
    }
  }
  const status = clientStatusOf(err);
  if (status !== null) {
    const known = GENERIC_CLIENT_ERRORS[status] ?? { code: 'BAD_REQUEST', message: 'The request could not be understood' };
    return { status, body: { success: false, error: { ...known } }, unexpected: false, headers };
  }
  return {
    status: 500,
    body: { success: false, error: { code: 'INTERNAL_ERROR', message: 'Internal server error', requestId } },
    unexpected: true,
    headers,
  };
}

import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { mapError } from '../error-mapper.js';
import '../request-context.js';

/** The one place errors become responses: `{ success: false, error: { code, message, details? } }`. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const mapped = mapError(err, req.requestId);
    const log = (req as { log?: Logger }).log ?? logger;
    if (mapped.unexpected) log.error({ err, requestId: req.requestId }, 'request failed');
    for (const [name, value] of Object.entries(mapped.headers)) res.setHeader(name, value);
    res.status(mapped.status).json(mapped.body);
  };
}

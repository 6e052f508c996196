import type { RequestHandler } from 'express';
import { UnsupportedMediaTypeError } from '../../errors/unsupported-media-type-error.js';

/**
 * Requests that carry a body must be JSON (or multipart, for uploads on the routes that take them).
 * Anything else is a 415 rather than a confusing validation error.
 */
export function requireJson(): RequestHandler {
  return (req, _res, next) => {
    const hasBody =
      req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.is(['application/json', 'application/*+json', 'multipart/form-data'])) {
      next(new UnsupportedMediaTypeError());
      return;
    }
    next();
  };
}

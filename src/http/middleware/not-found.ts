import type { RequestHandler } from 'express';
import { NotFoundError } from '../../errors/not-found-error.js';

export function notFound(): RequestHandler {
  return (req) => {
    throw new NotFoundError(`Route ${req.method} ${req.path} not found`, undefined, 'ROUTE_NOT_FOUND');
  };
}

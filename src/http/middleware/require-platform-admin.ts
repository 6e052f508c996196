import type { RequestHandler } from 'express';
import { ForbiddenError } from '../../errors/forbidden-error.js';
import { UnauthorizedError } from '../../errors/unauthorized-error.js';
import '../request-context.js';

export function requirePlatformAdmin(): RequestHandler {
  return (req, _res, next) => {
    if (!req.principal) throw new UnauthorizedError();
    if (req.principal.role !== 'platform_admin') throw new ForbiddenError('Platform admins only');
    next();
  };
}

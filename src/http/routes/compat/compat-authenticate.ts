import type { Request, RequestHandler } from 'express';
import { UnauthorizedError } from '../../../errors/unauthorized-error.js';
import type { Credentials } from '../../../services/auth-service.js';
import type { CompatAuthService, CompatCaller } from '../../../services/compat/compat-auth-service.js';
import { SESSION_COOKIE } from '../../middleware/authenticate.js';
import '../../request-context.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by compatAuthenticate on /api routes. */
      compatCaller?: CompatCaller;
    }
  }
}

/**
 * /api: `Authorization: Bearer <token from POST /api/auth/token>` (or our own API key / session) plus `X-Sistema-ID`,
 * which must be the caller's tenant's numeric id (403 when it is another).
 */
export function compatAuthenticate(auth: CompatAuthService): RequestHandler {
  return async (req, _res, next) => {
    const credentials: Credentials = {};
    const authorization = req.get('authorization');
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match?.[1]) throw new UnauthorizedError('Authorization header must be "Bearer <token>"', undefined, 'INVALID_TOKEN');
      credentials.bearer = match[1];
    }
    const apiKey = req.get('x-api-key');
    if (apiKey !== undefined) credentials.apiKey = apiKey.trim();
    const cookie = (req.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
    if (typeof cookie === 'string' && cookie !== '') credentials.sessionCookie = cookie;
    const caller = await auth.authenticate({ systemIdHeader: req.get('x-sistema-id'), credentials });
    req.compatCaller = caller;
    req.principal = caller.principal;
    next();
  };
}

export function compatCallerOf(req: Request): CompatCaller {
  if (!req.compatCaller) throw new UnauthorizedError();
  return req.compatCaller;
}

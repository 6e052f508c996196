import type { Request, RequestHandler } from 'express';
import { UnauthorizedError } from '../../../errors/unauthorized-error.js';
import type { ZapiAuthService, ZapiCaller } from '../../../services/zapi/zapi-auth-service.js';
import { readCredentials } from '../../middleware/authenticate.js';
import '../../request-context.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by zapiAuthenticate on /api routes. */
      zapiCaller?: ZapiCaller;
    }
  }
}

/**
 * /api: `Authorization: Bearer <token from POST /api/auth/token>` (or our own API key / session) plus `X-Sistema-ID`,
 * which must be the caller's tenant's numeric id (403 when it is another).
 */
export function zapiAuthenticate(auth: ZapiAuthService): RequestHandler {
  return async (req, _res, next) => {
    const caller = await auth.authenticate({ systemIdHeader: req.get('x-sistema-id'), credentials: readCredentials(req) });
    req.zapiCaller = caller;
    req.principal = caller.principal;
    next();
  };
}

export function zapiCallerOf(req: Request): ZapiCaller {
  if (!req.zapiCaller) throw new UnauthorizedError();
  return req.zapiCaller;
}

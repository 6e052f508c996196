import type { Request, RequestHandler } from 'express';
import { UnauthorizedError } from '../../errors/unauthorized-error.js';
import type { AuthService, Credentials } from '../../services/auth-service.js';
import '../request-context.js';

export const SESSION_COOKIE = 'auth-session';

/** What a request offers to prove who it is: a Bearer token (API key or JWT), `X-Api-Key`, the session cookie. */
export function readCredentials(req: Request): Credentials {
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
  return credentials;
}

/** Accepts `Authorization: Bearer <api key or JWT>`, `X-Api-Key`, or the session cookie; sets req.principal. */
export function authenticate(auth: AuthService): RequestHandler {
  return async (req, _res, next) => {
    if (req.principal) {
      next(); // already authenticated by another router on the same path
      return;
    }
    req.principal = await auth.authenticate(readCredentials(req));
    next();
  };
}

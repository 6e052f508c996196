import { Router, type CookieOptions, type RequestHandler, type Response } from 'express';
import type { AuthService, SessionResult } from '../../services/auth-service.js';
import { SESSION_COOKIE } from '../middleware/authenticate.js';
import { CreateApiKeyBodySchema, ApiKeyIdParamsSchema, LoginBodySchema, SignupBodySchema } from '../schemas/auth-schemas.js';
import type { ApiKeyService } from '../../services/api-key-service.js';
import { validate } from '../validate.js';
import { UnauthorizedError } from '../../errors/unauthorized-error.js';

export interface AuthRouterDeps {
  auth: AuthService;
  apiKeys: ApiKeyService;
  authenticate: RequestHandler;
  secureCookies: boolean;
}

/** /auth: signup, cookie sessions, who am I, API keys. */
export function authRouter(deps: AuthRouterDeps): Router {
  const router = Router();
  const cookieOptions = (): CookieOptions => ({
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: deps.secureCookies,
  });
  const startSession = (res: Response, session: SessionResult, status: number) => {
    res.cookie(SESSION_COOKIE, session.token, { ...cookieOptions(), expires: session.expiresAt });
    res.status(status).json({
      success: true,
      data: { user: session.user, tenant: session.tenant, expiresAt: session.expiresAt },
    });
  };
  const principalOf = (req: Express.Request) => {
    if (!req.principal) throw new UnauthorizedError();
    return req.principal;
  };

  router.post('/auth/signup', async (req, res) => {
    const body = validate(SignupBodySchema, req.body, 'body');
    startSession(res, await deps.auth.signup({ ...body, ip: req.ip ?? 'unknown' }), 201);
  });

  router.post('/auth/sessions', async (req, res) => {
    const body = validate(LoginBodySchema, req.body, 'body');
    startSession(res, await deps.auth.login({ ...body, ip: req.ip ?? 'unknown' }), 200);
  });

  router.delete('/auth/sessions', deps.authenticate, async (req, res) => {
    await deps.auth.logout(principalOf(req));
    res.clearCookie(SESSION_COOKIE, cookieOptions());
    res.json({ success: true, message: 'Logged out' });
  });

  router.get('/auth/me', deps.authenticate, async (req, res) => {
    res.json({ success: true, data: await deps.auth.me(principalOf(req)) });
  });

  router.post('/auth/api-keys', deps.authenticate, async (req, res) => {
    const body = validate(CreateApiKeyBodySchema, req.body, 'body');
    res.status(201).json({ success: true, data: await deps.apiKeys.create(principalOf(req), body.name) });
  });

  router.get('/auth/api-keys', deps.authenticate, async (req, res) => {
    res.json({ success: true, data: await deps.apiKeys.list(principalOf(req)) });
  });

  router.delete('/auth/api-keys/:id', deps.authenticate, async (req, res) => {
    const { id } = validate(ApiKeyIdParamsSchema, req.params, 'params');
    await deps.apiKeys.revoke(principalOf(req), id);
    res.json({ success: true, message: 'API key revoked' });
  });

  return router;
}

import type { RequestHandler } from 'express';

/**
 * Hands a request to `router` only when its path is one of `prefixes` or below one (`/api` takes `/api` and
 * `/api/…`, in any case, as Express matches routes), and passes every other request on at once. Express tries each
 * route of every router mounted at the root in turn; a send request went through the routes of health, docs,
 * auth, admin and the Z-API surface before reaching its own. The routers keep their full paths.
 */
export function scopedRouter(prefixes: readonly string[], router: RequestHandler): RequestHandler {
  const lower = prefixes.map((p) => p.toLowerCase());
  return (req, res, next) => {
    const path = req.path.toLowerCase();
    for (const prefix of lower) {
      if (path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47 /* '/' */)) {
        router(req, res, next);
        return;
      }
    }
    next();
  };
}

import type { RequestHandler, Router } from 'express';

/**
 * Hands a request to `router` only when its path is at or below the first segment of one of the router's own
 * paths (a router of `/api/instancias/:uuid` and `/api/auth/token` takes `/api` and `/api/…`, in any case, as
 * Express matches), and passes every other request on at once. Express tries each route of every router mounted at
 * the root in turn; a send request walked the routes of health, docs, auth, admin and the Z-API surface before
 * reaching its own.
 *
 * The segments are read from the router's layers when it is mounted, so they follow its routes. A router with a
 * layer at the root, a parameter or pattern in a first segment, or layers this cannot read is mounted as it is.
 */
export function scopedRouter(router: Router): RequestHandler {
  const segments = firstSegments(router);
  if (!segments) return router;
  return (req, res, next) => {
    const path = req.path;
    for (const segment of segments) {
      if (isAtOrBelow(path, segment)) {
        router(req, res, next);
        return;
      }
    }
    next();
  };
}

/** `path` is `segment` or below it, ignoring case (`segment` is lower case). */
function isAtOrBelow(path: string, segment: string): boolean {
  if (path.length < segment.length) return false;
  if (path.length > segment.length && path.charCodeAt(segment.length) !== 47 /* '/' */) return false;
  return path.slice(0, segment.length).toLowerCase() === segment;
}

/** The lower-case first segments of the router's paths (`/api`, `/health`…), or null when it cannot be scoped. */
function firstSegments(router: Router): string[] | null {
  const stack = (router as { stack?: unknown }).stack;
  if (!Array.isArray(stack) || stack.length === 0) return null;
  const segments = new Set<string>();
  for (const layer of stack as Array<{ rawPath?: unknown }>) {
    const paths: unknown[] = Array.isArray(layer.rawPath) ? layer.rawPath : [layer.rawPath];
    for (const path of paths) {
      const segment = typeof path === 'string' ? /^\/[^/:*?()[\]{}]+/.exec(path)?.[0] : undefined;
      if (!segment) return null;
      segments.add(segment.toLowerCase());
    }
  }
  return [...segments];
}

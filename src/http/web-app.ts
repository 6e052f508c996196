import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import express, { Router } from 'express';

/** Paths that belong to the API: never answered with the dashboard, so they keep their JSON (404s included). */
export const API_PREFIXES = ['/whatsapp', '/auth', '/admin', '/api', '/docs', '/openapi.json', '/metrics', '/health', '/ready'] as const;

export function isApiPath(path: string): boolean {
  return API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}.`));
}

export interface WebAppOptions {
  /** The built dashboard (`web/dist`, made by `npm start`'s prestart step); default `<cwd>/web/dist`. */
  distDir?: string;
}

/**
 * The dashboard (web/): its built files at `/`, and index.html for any other GET that asks for HTML (`Accept:
 * text/html`, as a browser's page load does) outside the API paths (the single-page app's own routes, e.g.
 * `/instances/inst_…`). Mounted after every API router, just before the JSON 404; API paths pass through untouched.
 * Without a build the router does nothing, so the API still runs.
 */
export function webAppRouter(options: WebAppOptions = {}): Router {
  const distDir = resolve(options.distDir ?? 'web/dist');
  const indexHtml = resolve(distDir, 'index.html');
  const router = Router();
  if (!existsSync(indexHtml)) return router;

  const assets = express.static(distDir, {
    index: false,
    fallthrough: true,
    setHeaders: (res, path) => {
      // Vite names built assets by content hash: they never change under one name.
      res.setHeader('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });

  router.use((req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApiPath(req.path)) {
      next();
      return;
    }
    assets(req, res, () => {
      // Only page loads: a browser navigating sends `Accept: text/html`; API clients and fetches do not.
      if (!(req.headers.accept ?? '').includes('text/html') || req.path.startsWith('/assets/')) {
        next();
        return;
      }
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(indexHtml);
    });
  });
  return router;
}

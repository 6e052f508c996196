import { createHash, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import type { Registry } from 'prom-client';
import { UnauthorizedError } from '../../errors/unauthorized-error.js';

export interface MetricsRouterDeps {
  registry: Registry;
  /** When set, requests need `Authorization: Bearer <token>`. */
  token: string | null;
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** GET /metrics: the Prometheus text exposition of `registry` (engine metrics, process metrics). */
export function metricsRouter(deps: MetricsRouterDeps): Router {
  const router = Router();
  const expected = deps.token === null ? null : digest(deps.token);
  router.get('/metrics', async (req, res) => {
    if (expected) {
      const header = req.get('authorization') ?? '';
      const given = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
      if (!timingSafeEqual(digest(given), expected)) throw new UnauthorizedError('Metrics need the METRICS_TOKEN bearer token');
    }
    res.set('Content-Type', deps.registry.contentType);
    res.send(await deps.registry.metrics());
  });
  return router;
}

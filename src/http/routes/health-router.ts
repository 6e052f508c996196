import { Router } from 'express';
import type { ReadinessService } from '../../services/readiness-service.js';

export function healthRouter(readiness: ReadinessService): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ success: true, data: { status: 'ok', uptimeSeconds: Math.round(process.uptime()) } });
  });
  router.get('/ready', async (_req, res) => {
    const checks = await readiness.check();
    res.json({ success: true, data: { status: 'ready', checks } });
  });
  return router;
}

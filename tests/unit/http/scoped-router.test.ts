import express from 'express';
import request from 'supertest';
import { scopedRouter } from '../../../src/http/scoped-router.js';

/** A router of `/api/…` and `/openapi.json` that records what reaches it, behind scopedRouter, then a fallback. */
function scopedApp(extra?: (router: express.Router, seen: string[]) => void) {
  const seen: string[] = [];
  const api = express.Router();
  api.use('/api', (req, _res, next) => {
    seen.push(req.originalUrl);
    next();
  });
  api.get('/api/items', (_req, res) => void res.json({ from: 'api' }));
  api.get('/openapi.json', (req, res) => {
    seen.push(req.originalUrl);
    res.json({ from: 'api' });
  });
  extra?.(api, seen);
  const app = express();
  app.use(scopedRouter(api));
  app.use((req, res) => void res.status(404).json({ from: 'fallback', path: req.path }));
  return { app, seen };
}

describe('scopedRouter', () => {
  it('hands over requests at or below a prefix, in any case, as Express routes match', async () => {
    const { app, seen } = scopedApp();
    expect((await request(app).get('/api/items')).body).toEqual({ from: 'api' });
    expect((await request(app).get('/API/Items')).body).toEqual({ from: 'api' });
    expect((await request(app).get('/api/items/')).body).toEqual({ from: 'api' });
    await request(app).get('/api');
    await request(app).get('/openapi.json');
    expect(seen).toEqual(['/api/items', '/API/Items', '/api/items/', '/api', '/openapi.json']);
  });

  it('passes every other request on without the router seeing it', async () => {
    const { app, seen } = scopedApp();
    for (const path of ['/apis/items', '/whatsapp/instances', '/', '/openapi.jsonx']) {
      const res = await request(app).get(path);
      expect(res.status).toBe(404);
      expect(res.body.from).toBe('fallback');
    }
    expect(seen).toEqual([]);
  });

  it('follows the routes the router has: one added before mounting is reached', async () => {
    const { app } = scopedApp((router) => router.get('/status', (_req, res) => void res.json({ from: 'status' })));
    expect((await request(app).get('/status')).body).toEqual({ from: 'status' });
  });

  it('mounts a router with a layer at the root, or a parameter first, as it is: it sees every request', async () => {
    const rootLayer = scopedApp((router, seen) =>
      router.use((req, _res, next) => {
        seen.push(`root ${req.originalUrl}`);
        next();
      }),
    );
    await request(rootLayer.app).get('/elsewhere');
    expect(rootLayer.seen).toEqual(['root /elsewhere']);

    const paramFirst = scopedApp((router, seen) =>
      router.get('/:anything/x', (req, _res, next) => {
        seen.push(`param ${req.originalUrl}`);
        next();
      }),
    );
    expect((await request(paramFirst.app).get('/elsewhere/x')).body.from).toBe('fallback');
    expect(paramFirst.seen).toEqual(['param /elsewhere/x']);
  });
});

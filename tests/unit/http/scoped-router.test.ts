import express from 'express';
import request from 'supertest';
import { scopedRouter } from '../../../src/http/scoped-router.js';

function scopedApp() {
  const seen: string[] = [];
  const api = express.Router();
  api.use((req, _res, next) => {
    seen.push(req.path);
    next();
  });
  api.get('/api/items', (_req, res) => void res.json({ from: 'api' }));
  const app = express();
  app.use(scopedRouter(['/api', '/openapi.json'], api));
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
});

/** The dashboard's static serving: built files, the SPA fallback for HTML page loads, and API paths left alone. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express, { type Express } from 'express';
import request from 'supertest';
import { isApiPath, webAppRouter } from '../../src/http/web-app.js';

let dir: string;
let app: Express;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'web-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="app"></div>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  app = express();
  app.use(webAppRouter({ distDir: dir }));
  // Stands for the API routers and the JSON 404 that follow in createApp.
  app.get('/whatsapp/instances', (_req, res) => {
    res.json({ success: true, data: [] });
  });
  app.use((req, res) => {
    res.status(404).json({ success: false, error: { code: 'ROUTE_NOT_FOUND', message: `Route ${req.method} ${req.path} not found` } });
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('/ and the app routes load index.html for a browser, never cached', async () => {
  for (const path of ['/', '/login', '/instances/inst_abc/chats/5511999999999%40s.whatsapp.net', '/platform/nodes']) {
    const res = await request(app).get(path).set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.text).toContain('<div id="app">');
  }
});

test('hashed assets are served with a long cache; a missing asset is a JSON 404, not the page', async () => {
  const js = await request(app).get('/assets/index-abc123.js');
  expect(js.status).toBe(200);
  expect(js.headers['cache-control']).toContain('immutable');
  const missing = await request(app).get('/assets/gone.js').set('Accept', 'text/html');
  expect(missing.status).toBe(404);
  expect(missing.body.error.code).toBe('ROUTE_NOT_FOUND');
});

test('API paths keep priority and their JSON 404s, even when a browser asks for HTML', async () => {
  const list = await request(app).get('/whatsapp/instances').set('Accept', 'text/html');
  expect(list.body).toEqual({ success: true, data: [] });
  for (const path of ['/whatsapp/nope', '/auth/nope', '/admin/nope', '/api/nope', '/docs/x', '/metrics/x', '/health/x', '/ready/x', '/openapi.json/x']) {
    const res = await request(app).get(path).set('Accept', 'text/html');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toContain('application/json');
  }
});

test('only GET/HEAD page loads that accept HTML fall back to the page', async () => {
  const json = await request(app).get('/somewhere').set('Accept', 'application/json');
  expect(json.status).toBe(404);
  expect(json.body.success).toBe(false);
  const noAccept = await request(app).get('/somewhere');
  expect(noAccept.status).toBe(404);
  expect(noAccept.body.success).toBe(false);
  const any = await request(app).get('/somewhere').set('Accept', '*/*');
  expect(any.status).toBe(404);
  const post = await request(app).post('/somewhere').set('Accept', 'text/html');
  expect(post.status).toBe(404);
  const head = await request(app).head('/somewhere').set('Accept', 'text/html');
  expect(head.status).toBe(200);
});

test('isApiPath matches the prefixes and nothing that merely starts with their letters', () => {
  expect(isApiPath('/whatsapp')).toBe(true);
  expect(isApiPath('/admin/tenants')).toBe(true);
  expect(isApiPath('/openapi.json')).toBe(true);
  expect(isApiPath('/healthy-page')).toBe(false);
  expect(isApiPath('/apiary')).toBe(false);
  expect(isApiPath('/platform')).toBe(false);
});

test('without a build the router passes everything on', async () => {
  const bare = express();
  bare.use(webAppRouter({ distDir: join(dir, 'missing') }));
  bare.use((_req, res) => {
    res.status(404).json({ success: false });
  });
  const res = await request(bare).get('/').set('Accept', 'text/html');
  expect(res.status).toBe(404);
});

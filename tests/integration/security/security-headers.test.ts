import { jest } from '@jest/globals';
import request from 'supertest';
import type { Browser } from 'playwright-core';
import { createApp } from '../../../src/app.js';
import { createTestApp, testConfig, type TestApp } from '../../support/app.js';
import { ensureDashboardBuilt, launchBrowser, listen } from '../../support/browser.js';

/** Issue 16 item 2: helmet's headers on the API, /docs and the dashboard; HSTS only in production. */
jest.setTimeout(120_000);

let t: TestApp;
beforeAll(async () => {
  ensureDashboardBuilt();
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

function expectCommonHeaders(res: request.Response): void {
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  expect(res.headers['content-security-policy']).toContain("script-src 'self'");
  expect(res.headers['x-powered-by']).toBeUndefined();
}

describe('security headers', () => {
  it.each([
    ['an API answer', '/health', 'application/json'],
    ['an API error', '/whatsapp/instances', 'application/json'],
    ['a JSON 404', '/nope', 'application/json'],
    ['the OpenAPI document', '/openapi.json', 'application/json'],
    ['the dashboard', '/', 'text/html'],
  ])('on %s', async (_label, path, type) => {
    const res = await request(t.app).get(path).set('Accept', type === 'text/html' ? 'text/html' : 'application/json');
    expect(res.headers['content-type']).toContain(type);
    expectCommonHeaders(res);
    expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('/docs allows Swagger UI inline styles, never inline scripts', async () => {
    const res = await request(t.app).get('/docs/');
    expect(res.status).toBe(200);
    expectCommonHeaders(res);
    expect(res.headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self';/);
  });

  it('HSTS in production only', async () => {
    const prod = createApp({
      config: { ...testConfig({ NODE_ENV: 'production' }), bodyLimit: '1mb' },
      logger: t.logger,
      services: t.services,
    });
    const res = await request(prod).get('/health');
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(res.headers['content-security-policy']).toContain('upgrade-insecure-requests');
  });
});

describe('in a browser, under the CSP', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    browser = await launchBrowser();
    server = await listen(t.app);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it.each([
    ['/docs/', '.swagger-ui .info .title'],
    ['/', '#app *'],
  ])('%s renders without a CSP violation', async (path, selector) => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
    });
    await page.goto(`${server.url}${path}`);
    await page.locator(selector).first().waitFor({ timeout: 30_000 });
    expect(violations).toEqual([]);
    await page.close();
  });
});

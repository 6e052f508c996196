/**
 * A real browser for the dashboard tests: Debian's chromium (`/usr/bin/chromium`, installed by .ci/run) driven by
 * playwright-core. Never `npx playwright install`: no browser is downloaded.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Express } from 'express';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import sharp from 'sharp';
import jsQRModule from 'jsqr';

/** jsqr is CommonJS whose typings declare an ES default export: take the function from either shape. */
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as typeof jsQRModule.default;

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Builds web/dist when a source changed (the same step `npm start` runs first). */
export function ensureDashboardBuilt(): void {
  execFileSync(process.execPath, [join(process.cwd(), 'web/build.mjs')], { stdio: 'inherit' });
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium (.ci/run does)`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
}

/** Serves an Express app on 127.0.0.1, any free port. */
export async function listen(app: Express): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ConsoleProblem {
  page: string;
  type: string;
  text: string;
  url: string;
}

/**
 * Records console errors and uncaught page errors of every page of a context. The browser itself logs
 * "Failed to load resource: … status of N" for API answers a test provokes on purpose (401 before signing in,
 * 403 at the plan limit, 404 for another tenant's instance): `expected` says which of those are fine.
 */
export function watchConsole(context: BrowserContext, problems: ConsoleProblem[]): void {
  const watch = (page: Page) => {
    page.on('console', (msg: ConsoleMessage) => {
      if (msg.type() === 'error' || msg.type() === 'assert') {
        problems.push({ page: page.url(), type: msg.type(), text: msg.text(), url: msg.location().url });
      }
    });
    page.on('pageerror', (err) => problems.push({ page: page.url(), type: 'pageerror', text: err.message, url: '' }));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
}

/** Reads the QR code in a screenshot of `selector`, as a phone's camera would. */
export async function decodeQr(page: Page, selector: string): Promise<string> {
  const png = await page.locator(selector).screenshot();
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const result = jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), info.width, info.height);
  if (!result) throw new Error('no QR code found in the screenshot');
  return result.data;
}

/**
 * Checks the page at 360 px (a phone) and 1440 px: nothing sticks out sideways at 360 (elements wider than the
 * viewport are listed in the error). With SCREENSHOTS=1 (`SCREENSHOTS=1 npm test -- tests/browser`) it also saves
 * `docs/screenshots/<name>-1440.png` and `<name>-360.png` (the whole page) for the README.
 */
export async function shoot(page: Page, name: string): Promise<void> {
  const save = process.env.SCREENSHOTS === '1';
  const dir = join(process.cwd(), 'docs/screenshots');
  if (save) mkdirSync(dir, { recursive: true });
  const before = page.viewportSize() ?? { width: 1440, height: 900 };
  await page.setViewportSize({ width: 1440, height: 900 });
  if (save) await page.screenshot({ path: join(dir, `${name}-1440.png`) });
  await page.setViewportSize({ width: 360, height: 780 });
  // Runs in the page (a string: this project's TypeScript has no DOM types).
  const overflow = await page.evaluate<string[]>(`(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    return [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > width + 1 && !el.closest('.table-wrap, .sr-only'))
      .slice(0, 8)
      .map((el) => el.tagName.toLowerCase() + '.' + [...el.classList].join('.') + ' right=' + Math.round(el.getBoundingClientRect().right));
  })()`);
  if (overflow.length) throw new Error(`${name}: wider than 360 px: ${overflow.join('; ')}`);
  if (save) await page.screenshot({ path: join(dir, `${name}-360.png`), fullPage: true });
  await page.setViewportSize(before);
}

/**
 * The linking screen through a whole QR cycle, in a real browser against the real app, engine and simulator, with
 * short-lived codes (QR_TTL_MS=3000): each code replaced live ("attempt n of 6"), "generate new codes" after the
 * sixth, then a scan of the new code turns the screen to "connected".
 */
import { jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { freshPhone, startEngineApp, type EngineApp } from '../support/engine-app.js';
import { decodeQr, ensureDashboardBuilt, launchBrowser, listen, watchConsole, type ConsoleProblem } from '../support/browser.js';

jest.setTimeout(180_000);

let e: EngineApp;
let server: { url: string; close: () => Promise<void> };
let browser: Browser;
const problems: ConsoleProblem[] = [];

beforeAll(async () => {
  ensureDashboardBuilt();
  e = await startEngineApp({ env: { QR_TTL_MS: '3000' } });
  server = await listen(e.app);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await e?.close();
});

test('codes are replaced live, "generate new codes" after the sixth, then a scan connects', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'pt-BR' });
  watchConsole(context, problems);
  const page: Page = await context.newPage();
  await page.goto(`${server.url}/signup`);
  // Portuguese, picked from the browser.
  await page.getByLabel('Nome da empresa').fill('Padaria Pão Quente');
  await page.getByLabel('E-mail').fill(`qr-${Date.now()}@example.com`);
  await page.getByLabel('Senha').fill('a-good-password-1');
  await page.getByRole('button', { name: 'Cadastrar' }).click();
  await page.getByLabel('Nome da nova instância').fill('Balcão');
  await page.getByRole('button', { name: 'Criar instância' }).click();

  const attempt = page.getByTestId('qr-attempt');
  await attempt.waitFor();
  const seen = new Set<string>();
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline && !(await page.getByTestId('regenerate-qr').isVisible())) {
    const text = await attempt.textContent().catch(() => null);
    if (text) seen.add(text);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(seen.has('Tentativa 6 de 6')).toBe(true);
  expect(seen.size).toBeGreaterThanOrEqual(3); // replaced live, without a reload

  await page.getByTestId('regenerate-qr').click();
  await page.getByTestId('qr').waitFor();
  const phone = freshPhone();
  // A code lives 3 s here: one that expires between the screenshot and the scan is followed by the next one.
  for (let i = 0; ; i++) {
    try {
      await e.control.scan(await decodeQr(page, '[data-testid="qr"]'), phone, 'QR cycle phone');
      break;
    } catch (err) {
      if (i >= 3) throw err;
    }
  }
  await page.getByTestId('connected').waitFor({ timeout: 30_000 });
  await expect(page.getByTestId('connected-phone').textContent()).resolves.toBe(`+${phone}`);
  await context.close();
  expect(problems.filter((p) => !/\/auth\/me$/.test(p.url))).toEqual([]);
});

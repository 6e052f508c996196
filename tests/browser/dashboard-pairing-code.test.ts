/**
 * Linking a number by phone code instead of QR, in a real browser against the real app, engine and simulator: the
 * "Phone code" tab asks for the number, shows the code with its countdown, and turns to "connected" live once the
 * person types the code on the phone (the simulator's control API plays the phone).
 */
import { jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { freshPhone, startEngineApp, type EngineApp } from '../support/engine-app.js';
import { ensureDashboardBuilt, launchBrowser, listen, shoot, watchConsole, type ConsoleProblem } from '../support/browser.js';

jest.setTimeout(180_000);

let e: EngineApp;
let server: { url: string; close: () => Promise<void> };
let browser: Browser;
const problems: ConsoleProblem[] = [];

beforeAll(async () => {
  ensureDashboardBuilt();
  e = await startEngineApp();
  server = await listen(e.app);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await e?.close();
});

test('phone code tab: a wrong number is refused with its message, the code shows with a countdown, typing it connects', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 800 }, locale: 'en-US' });
  watchConsole(context, problems);
  const page: Page = await context.newPage();
  await page.goto(`${server.url}/signup`);
  await page.getByLabel('Company name').fill('Corner Bakery');
  await page.getByLabel('Email').fill(`code-${Date.now()}@example.com`);
  await page.getByLabel('Password').fill('a-good-password-1');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByLabel('New instance name').fill('Counter');
  await page.getByRole('button', { name: 'Create instance' }).click();

  await page.getByRole('tab', { name: 'Phone code' }).click();
  const phoneInput = page.getByLabel('Phone number with country code');
  await phoneInput.fill('12');
  await page.getByTestId('pairing-submit').click();
  await page.getByRole('alert').filter({ hasText: /phone number/i }).first().waitFor();

  const phone = freshPhone();
  await phoneInput.fill(`+${phone}`);
  await page.getByTestId('pairing-submit').click();
  const codeBox = page.getByTestId('pairing-code');
  await codeBox.waitFor();
  const code = (await codeBox.textContent())!.trim();
  expect(code).toMatch(/^[1-9A-HJ-NP-TV-Z]{4}-[1-9A-HJ-NP-TV-Z]{4}$/);
  await expect(page.getByTestId('pairing-countdown').textContent()).resolves.toMatch(/expires in \d+ s/);
  await shoot(page, 'linking-phone-code'); // fits 360 px; saved under docs/screenshots with SCREENSHOTS=1

  await e.control.typeLinkCode(phone, code, 'Browser code phone');
  await page.getByTestId('connected').waitFor({ timeout: 30_000 });
  await expect(page.getByTestId('connected-phone').textContent()).resolves.toBe(`+${phone}`);
  await context.close();
  // the refused number is a 400 the page shows; nothing else may reach the console
  expect(problems.filter((p) => !/\/auth\/me$/.test(p.url) && !/\/pairing-code$/.test(p.url))).toEqual([]);
});

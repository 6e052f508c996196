/**
 * The dashboard in a real browser (chromium + playwright-core) against the real product: app + engine + the
 * WhatsApp simulator (startEngineApp), served with the built web/dist by the same Express app. One browser for
 * the file; each user gets their own browser context (their own cookie).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { freshPhone, startEngineApp, type EngineApp } from '../support/engine-app.js';
import { decodeQr, ensureDashboardBuilt, launchBrowser, listen, shoot, watchConsole, type ConsoleProblem } from '../support/browser.js';

import { jest } from '@jest/globals';

jest.setTimeout(180_000);

let e: EngineApp;
let server: { url: string; close: () => Promise<void> };
let browser: Browser;
const contexts: BrowserContext[] = [];
const problems: ConsoleProblem[] = [];

/** A webhook receiver that answers 500 while `failing`, 200 otherwise. */
let failing = true;
let received = 0;
let receiver: Server;
let receiverUrl: string;

// Shared by the steps below, in order.
let tenantA: Page;
let instanceId = '';
let phone = '';
const contact = freshPhone();
const adminEmail = `admin-${Date.now()}@example.com`;
const adminPassword = 'admin-password-123';

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  contexts.push(context);
  watchConsole(context, problems);
  return context.newPage();
}

async function signUp(page: Page, email: string, company: string): Promise<void> {
  await page.goto(`${server.url}/`);
  await page.waitForURL('**/login');
  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Company name').fill(company);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('a-good-password-1');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Instances' }).waitFor();
}

beforeAll(async () => {
  ensureDashboardBuilt();
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(failing ? 500 : 200, { 'content-type': 'text/plain' });
      res.end(failing ? 'receiver down for maintenance' : 'ok, thanks');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  e = await startEngineApp({
    env: {
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      WEBHOOK_POLL_INTERVAL_MS: '200',
      WEBHOOK_BACKOFF_BASE_MS: '100',
      WEBHOOK_BACKOFF_MAX_MS: '200',
      WEBHOOK_MAX_ATTEMPTS: '2',
      SEND_RATE_PER_SECOND: '0',
    },
  });
  await e.services.admin.ensurePlatformAdmin(adminEmail, adminPassword);
  server = await listen(e.app);
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
  await e?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

test('API paths keep their JSON answers next to the dashboard', async () => {
  const page = await fetch(`${server.url}/instances/inst_whatever`, { headers: { accept: 'text/html' } });
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<div id="app">');
  const api = await fetch(`${server.url}/whatsapp/nope`, { headers: { accept: 'text/html' } });
  expect(api.headers.get('content-type')).toContain('application/json');
});

test('sign up, create an instance, scan the QR the page shows, see "connected" without a reload', async () => {
  tenantA = await newPage();
  await tenantA.goto(`${server.url}/`);
  await tenantA.getByRole('heading', { name: 'Log in' }).waitFor();
  await shoot(tenantA, 'login');

  // A form error names the field.
  await tenantA.getByRole('link', { name: 'Create an account' }).click();
  await tenantA.getByLabel('Company name').fill('Acme Ltda');
  await tenantA.getByLabel('Email').fill('not-an-email');
  await tenantA.getByLabel('Password').fill('a-good-password-1');
  await tenantA.getByRole('button', { name: 'Sign up' }).click();
  await expect(tenantA.locator('.field-error').first().textContent()).resolves.toMatch(/^Email: /);
  await tenantA.getByLabel('Email').fill(`owner-${Date.now()}@acme.test`);
  await tenantA.getByRole('button', { name: 'Sign up' }).click();
  await tenantA.getByRole('heading', { name: 'Instances' }).waitFor();
  await expect(tenantA.getByTestId('plan-usage').textContent()).resolves.toContain('0 of 1');

  await tenantA.getByLabel('New instance name').fill('Vendas');
  await tenantA.getByRole('button', { name: 'Create instance' }).click();
  await tenantA.waitForURL(/\/instances\/inst_/);
  instanceId = /\/instances\/(inst_[^/]+)/.exec(tenantA.url())![1]!;

  const qr = tenantA.getByTestId('qr');
  await qr.waitFor();
  await expect(tenantA.getByTestId('qr-attempt').textContent()).resolves.toMatch(/^Attempt \d of 6$/);
  await shoot(tenantA, 'linking-qr');

  // The phone-code tab calls POST …/pairing-code and shows its answer: the code, or the API's own error message.
  await tenantA.getByRole('tab', { name: 'Phone code' }).click();
  await tenantA.getByLabel('Phone number with country code').fill('5511999990000');
  await tenantA.getByRole('button', { name: 'Get phone code' }).click();
  await tenantA.locator('.pairing-code, .alert-error').first().waitFor();
  const answer = await tenantA.locator('.pairing-code, .alert-error').first().textContent();
  expect(answer).not.toContain('undefined');
  expect(answer!.trim().length).toBeGreaterThan(3);
  await tenantA.getByRole('tab', { name: 'QR code' }).click();
  await qr.waitFor();
  const code = await decodeQr(tenantA, '[data-testid="qr"]');
  expect(code.length).toBeGreaterThan(20);
  phone = freshPhone();
  await e.control.scan(code, phone, 'Browser Phone');

  await tenantA.getByTestId('connected').waitFor({ timeout: 30_000 });
  await expect(tenantA.getByTestId('connected-phone').textContent()).resolves.toBe(`+${phone}`);
  await shoot(tenantA, 'linking-connected');

  // Back on the list: live status, phone, plan usage; a second instance is over the starter plan.
  await tenantA.getByRole('link', { name: 'Instances', exact: true }).first().click();
  const row = tenantA.locator(`tr[data-instance="${instanceId}"]`);
  await row.locator('[data-status="connected"]').waitFor();
  await expect(row.textContent()).resolves.toContain(`+${phone}`);
  await expect(tenantA.getByTestId('plan-usage').textContent()).resolves.toContain('1 of 1');
  await tenantA.getByLabel('New instance name').fill('Suporte');
  await tenantA.getByRole('button', { name: 'Create instance' }).click();
  await tenantA.getByTestId('plan-limit').waitFor();
  expect(new URL(tenantA.url()).pathname).toBe('/');
  await shoot(tenantA, 'instances');
});

test('a contact writes, the owner answers from the composer, the reply and the read ticks arrive live', async () => {
  await e.control.createContact(contact, 'Ana Souza');
  await tenantA.goto(`${server.url}/instances/${instanceId}/chats`);
  await tenantA.locator('#chat-search').waitFor();
  await e.control.sendFromContact(contact, { to: phone, text: 'Olá! Vocês entregam hoje?' });
  const chatLink = tenantA.locator('.chat-item', { hasText: contact.slice(-4) });
  await chatLink.waitFor();
  await chatLink.click();
  await tenantA.locator('.bubble.in', { hasText: 'Vocês entregam hoje?' }).waitFor();

  await tenantA.getByLabel('Message').fill('Sim, até as 18h.');
  await tenantA.getByRole('button', { name: 'Send' }).click();
  const out = tenantA.locator('.bubble.out', { hasText: 'Sim, até as 18h.' });
  await out.waitFor();
  let inboxItem: { id: string; text?: string } | undefined;
  for (let i = 0; i < 100 && !inboxItem; i++) {
    inboxItem = (await e.control.inbox(contact)).find((m) => m.text === 'Sim, até as 18h.');
    if (!inboxItem) await new Promise((r) => setTimeout(r, 100));
  }
  expect(inboxItem).toBeDefined();

  // The contact reads it (blue ticks) and answers: both show up without a reload.
  await e.control.receipts(contact, phone, [inboxItem!.id], 'read');
  await out.locator('[data-tick="read"]').waitFor();
  await e.control.sendFromContact(contact, { to: phone, text: 'Perfeito, obrigada!' });
  await tenantA.locator('.bubble.in', { hasText: 'Perfeito, obrigada!' }).waitFor();

  // Media both ways: the contact's photo is shown inline; a file from the composer reaches the contact.
  const png = await sharp({ create: { width: 96, height: 64, channels: 3, background: '#2a7' } }).png().toBuffer();
  await e.control.sendFromContact(contact, { to: phone, media: { type: 'image', mimetype: 'image/png', caption: 'Foto do pedido', dataBase64: png.toString('base64') } });
  const photo = tenantA.locator('.bubble.in img.media');
  await photo.waitFor({ timeout: 40_000 });
  await expect(photo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).resolves.toBe(96);
  await tenantA.locator('input[type="file"]').setInputFiles({ name: 'recibo.png', mimeType: 'image/png', buffer: png });
  await tenantA.getByLabel('Message').fill('Segue o recibo');
  await tenantA.getByRole('button', { name: 'Send' }).click();
  await tenantA.locator('.bubble.out', { hasText: 'Segue o recibo' }).waitFor();
  let sentImage: { type: string; caption?: string } | undefined;
  for (let i = 0; i < 100 && !sentImage; i++) {
    sentImage = (await e.control.inbox(contact)).find((m) => m.type === 'image' && m.caption === 'Segue o recibo');
    if (!sentImage) await new Promise((r) => setTimeout(r, 100));
  }
  expect(sentImage).toBeDefined();
  await shoot(tenantA, 'chat');
});

test('webhooks: a broken receiver fails in the log; fixed, a redelivery succeeds', async () => {
  await tenantA.goto(`${server.url}/instances/${instanceId}/webhooks`);
  await tenantA.getByLabel('Webhook URL').fill(receiverUrl);
  await tenantA.getByRole('button', { name: 'Save webhook' }).click();
  await tenantA.getByText('Saved.').waitFor();

  await tenantA.getByTestId('send-test').click();
  const result = tenantA.getByTestId('test-result');
  await result.waitFor();
  await expect(result.textContent()).resolves.toContain('HTTP 500');
  await expect(result.textContent()).resolves.toContain('receiver down for maintenance');

  await tenantA.getByRole('button', { name: 'Rotate secret' }).click();
  await expect(tenantA.getByTestId('webhook-secret').textContent()).resolves.toMatch(/^whsec_/);

  // New events go to the broken receiver and run out of attempts.
  await e.control.sendFromContact(contact, { to: phone, text: 'Webhook, está aí?' });
  await tenantA.getByLabel('Status').selectOption('failed');
  const failedRow = tenantA.locator('tr[data-status="failed"]').first();
  for (let i = 0; i < 100 && !(await failedRow.isVisible()); i++) {
    await tenantA.getByTestId('refresh-log').click();
    await new Promise((r) => setTimeout(r, 200));
  }
  await failedRow.waitFor();
  await failedRow.getByRole('button').first().click(); // attempt history of that delivery
  await expect(tenantA.locator('.detail-row').textContent()).resolves.toContain('500');
  const history = tenantA.getByTestId('attempt-history');
  await history.waitFor();
  const failedAttempts = Number(await failedRow.locator('td').nth(2).textContent());
  expect(failedAttempts).toBeGreaterThan(0);
  await expect(history.locator('tbody tr[data-attempt-code="500"]').count()).resolves.toBe(failedAttempts);
  await expect(history.textContent()).resolves.toContain('receiver down for maintenance');
  await history.scrollIntoViewIfNeeded(); // the screenshot shows the delivery log with its attempt history
  await shoot(tenantA, 'webhooks');

  failing = false;
  const deliveryId = await failedRow.getAttribute('data-delivery');
  await failedRow.getByRole('button', { name: 'Redeliver' }).click();
  await tenantA.getByLabel('Status').selectOption('');
  const row = tenantA.locator(`tr[data-delivery="${deliveryId}"]`);
  for (let i = 0; i < 100 && (await row.getAttribute('data-status').catch(() => null)) !== 'succeeded'; i++) {
    await tenantA.getByTestId('refresh-log').click();
    await new Promise((r) => setTimeout(r, 200));
  }
  await expect(row.getAttribute('data-status')).resolves.toBe('succeeded');
  expect(received).toBeGreaterThanOrEqual(3);
});

test('API keys: created and shown once, listed, revoked', async () => {
  await tenantA.goto(`${server.url}/api-keys`);
  await tenantA.getByLabel('Key name').fill('CRM');
  await tenantA.getByRole('button', { name: 'Create key' }).click();
  await expect(tenantA.getByTestId('new-api-key').textContent()).resolves.toMatch(/^zk_/);
  await tenantA.getByRole('cell', { name: 'CRM' }).waitFor();
  await shoot(tenantA, 'api-keys');
  await tenantA.getByRole('button', { name: 'Revoke' }).click();
  await tenantA.getByRole('dialog').getByText('get 401 from now on').waitFor();
  await tenantA.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
  await tenantA.getByText('No API keys yet.').waitFor();
});

test("a platform admin sees every tenant and restarts another tenant's instance", async () => {
  const admin = await newPage();
  await admin.goto(`${server.url}/login`);
  await admin.getByLabel('Email').fill(adminEmail);
  await admin.getByLabel('Password').fill(adminPassword);
  await admin.getByRole('button', { name: 'Log in' }).click();
  await admin.getByRole('link', { name: 'Platform' }).click();
  const acme = admin.getByTestId('tenants').locator('tr', { has: admin.getByRole('cell', { name: 'Acme Ltda', exact: true }) });
  await expect(acme.textContent()).resolves.toContain('1 of 1');
  await acme.getByLabel('Plan of Acme Ltda').selectOption('pro');
  await acme.getByText('1 of 5').waitFor();
  await shoot(admin, 'admin-tenants');

  await admin.getByRole('link', { name: 'All instances' }).click();
  const row = admin.locator(`tr[data-instance="${instanceId}"]`);
  await row.waitFor();
  const mark = await e.lastSequence(instanceId);
  await row.getByRole('button', { name: 'Restart' }).click();
  await admin.getByRole('dialog').getByText('closed and opened again').waitFor();
  await admin.getByRole('dialog').getByRole('button', { name: 'Restart' }).click();
  await admin.getByRole('dialog').waitFor({ state: 'hidden' });
  await shoot(admin, 'admin-instances');

  // The restart really happened (restarting, then connected again), and the tenant's own screen saw it live.
  for (let i = 0; i < 100; i++) {
    const updates = await e.connectionUpdates(instanceId, mark);
    if (updates.some((u) => u.reason === 'restarting') && updates.at(-1)?.status === 'connected') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const updates = await e.connectionUpdates(instanceId, mark);
  expect(updates.map((u) => u.reason)).toContain('restarting');
  expect(updates.at(-1)?.status).toBe('connected');

  await admin.getByRole('link', { name: 'Nodes' }).click();
  // The node running the socket (from its lease) lists it, with the pairing and the restart counted.
  const card = admin.locator(`[data-node="${e.config.nodeId}"]`);
  await card.getByText(instanceId).waitFor();
  const connections = Number(/(\d+) connections in the last hour/.exec((await card.textContent()) ?? '')?.[1]);
  expect(connections).toBeGreaterThanOrEqual(2);
  await shoot(admin, 'admin-nodes');
});

test("a tenant cannot open another tenant's instance by URL, nor the platform screens", async () => {
  const other = await newPage();
  await signUp(other, `other-${Date.now()}@example.com`, 'Outra Empresa');
  await other.goto(`${server.url}/instances/${instanceId}`);
  await other.getByTestId('not-found').waitFor();
  await other.goto(`${server.url}/instances/${instanceId}/chats`);
  await other.getByTestId('not-found').waitFor();
  await other.goto(`${server.url}/platform`);
  await other.getByTestId('not-found').waitFor();
});

test('Portuguese is picked from the header switch', async () => {
  await tenantA.goto(`${server.url}/`);
  await tenantA.getByLabel('Language').selectOption('pt-BR');
  await tenantA.getByRole('heading', { name: 'Instâncias' }).waitFor();
  await tenantA.getByLabel('Idioma').selectOption('en');
});

test('no console errors on any page (only the API answers provoked on purpose)', () => {
  const expected = (p: ConsoleProblem) =>
    p.text.startsWith('Failed to load resource') &&
    (/\/auth\/me$/.test(p.url) || // 401 before signing in
      /\/auth\/signup$/.test(p.url) || // 400: the form error above
      /\/whatsapp\/instances$/.test(p.url) || // 403 at the plan limit
      p.url.includes(`/whatsapp/instances/${instanceId}`)); // 404 for the other tenant
  expect(problems.filter((p) => !expected(p))).toEqual([]);
});

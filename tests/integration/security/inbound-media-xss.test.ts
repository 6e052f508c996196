import { jest } from '@jest/globals';
import request from 'supertest';
import { api, eventually, newContact, startPaired, type PairedTenant } from '../../support/messaging.js';
import { createInstance, signup } from '../../support/factories.js';

/**
 * Issue 16 items 1 and 10, through the engine and the simulator: media a contact sends is never served as a page on
 * the API's origin; concurrent DELETEs of one instance answer 200, 409 INSTANCE_BUSY or 404, never 503.
 */
jest.setTimeout(120_000);

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const HTML = Buffer.from('<html><body><script>fetch("/auth/api-keys",{method:"POST"})</script></body></html>');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"><script>alert(1)</script></svg>');

let t: PairedTenant;
beforeAll(async () => {
  t = await startPaired();
});
afterAll(async () => {
  await t?.e.close();
});

const base = () => `/whatsapp/instances/${t.instanceId}`;

/** A contact sends a document with this mimetype and these bytes; resolves to the stored message's media response. */
async function inbound(mimetype: string, data: Buffer, fileName = 'file.bin'): Promise<request.Response> {
  const contact = await newContact(t.e, 'Mallory');
  const { id } = await t.e.control.sendFromContact(contact, {
    to: t.phone,
    media: { type: 'document', mimetype, dataBase64: data.toString('base64'), fileName },
  });
  await eventually(async () => {
    const res = await api(t.e.app, t.cookie).get(`${base()}/messages/${id}`);
    if (res.status !== 200 || res.body.data.media?.status !== 'stored') throw new Error(JSON.stringify(res.body));
  }, 30_000, 200);
  return request(t.e.app).get(`${base()}/messages/${id}/media`).set('Cookie', t.cookie).buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });
}

function expectLockedDown(res: request.Response): void {
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
}

describe('inbound media is never served as a page', () => {
  it('text/html "media" is an attachment of type application/octet-stream', async () => {
    const res = await inbound('text/html', HTML, 'invoice.html');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="?invoice.html/);
    expectLockedDown(res);
    expect((res.body as Buffer).equals(HTML)).toBe(true); // the bytes are intact, just not rendered
  });

  it('image/svg+xml is an attachment too', async () => {
    const res = await inbound('image/svg+xml', SVG, 'cat.svg');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toMatch(/^attachment/);
    expectLockedDown(res);
  });

  it('HTML that claims to be a PNG is caught by its bytes', async () => {
    const res = await inbound('image/png', HTML, 'photo.png');
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toMatch(/^attachment/);
    expectLockedDown(res);
  });

  it('a real PNG is shown inline, still under nosniff and the CSP', async () => {
    const res = await inbound('image/png', PNG, 'pixel.png');
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['content-disposition']).toBe('inline');
    expectLockedDown(res);
  });

  it('a PDF is inline, a zip an attachment under its own type', async () => {
    const pdf = await inbound('application/pdf', Buffer.from('%PDF-1.4\n%\xe2\xe3\n1 0 obj\n'), 'a.pdf');
    expect(pdf.headers['content-disposition']).toBe('inline');
    const zip = await inbound('application/zip', Buffer.from('PK\x03\x04rest-of-zip'), 'a.zip');
    expect(zip.headers['content-type']).toBe('application/zip');
    expect(zip.headers['content-disposition']).toMatch(/^attachment; filename="?a.zip/);
    expectLockedDown(zip);
  });
});

describe('concurrent DELETE of one instance', () => {
  it('the first is 200; the others 409 INSTANCE_BUSY while it runs or 404 once it is gone; never 503', async () => {
    const owner = await signup(t.e.app);
    const { instanceId } = await createInstance(t.e.app, owner.cookie);
    await t.e.pair(owner.cookie, instanceId);
    const results = await Promise.all(
      Array.from({ length: 6 }, () => request(t.e.app).delete(`/whatsapp/instances/${instanceId}`).set('Cookie', owner.cookie)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    for (const res of results) {
      expect([200, 404, 409]).toContain(res.status);
      if (res.status === 409) expect(res.body.error.code).toBe('INSTANCE_BUSY');
      if (res.status === 404) expect(res.body.error.code).toBe('NOT_FOUND');
    }
    expect(statuses.filter((s) => s === 409).length).toBeGreaterThan(0);
    const after = await request(t.e.app).delete(`/whatsapp/instances/${instanceId}`).set('Cookie', owner.cookie);
    expect(after.status).toBe(404);
  });
});

import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ensureCertificates } from '../../../src/simulator/media/certificates.js';
import { startMediaServer, type MediaServer } from '../../../src/simulator/media/media-server.js';
import { SANDBOX_CERT_DIR, startTestMediaServer } from './media-fixtures.js';

const run = promisify(execFile);

describe('ensureCertificates', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zap-certs-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a CA and a server certificate for 127.0.0.1 and localhost signed by it', async () => {
    const certs = await ensureCertificates(dir);

    expect(certs.caFile).toBe(join(dir, 'ca.pem'));
    expect(await readFile(certs.caFile, 'utf8')).toBe(certs.caPem);
    expect(await readFile(join(dir, 'cert.pem'), 'utf8')).toBe(certs.certPem);
    expect(await readFile(join(dir, 'key.pem'), 'utf8')).toBe(certs.keyPem);
    const ca = new X509Certificate(certs.caPem);
    const cert = new X509Certificate(certs.certPem);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.subjectAltName).toContain('DNS:localhost');
  });

  it('reuses the files on later calls, also from concurrent callers', async () => {
    const [a, b, c] = await Promise.all([ensureCertificates(dir), ensureCertificates(dir), ensureCertificates(dir)]);
    const later = await ensureCertificates(dir);

    expect(b!.caPem).toBe(a!.caPem);
    expect(c!.certPem).toBe(a!.certPem);
    expect(later.caPem).toBe(a!.caPem);
    expect(later.keyPem).toBe(a!.keyPem);
  });

  it('replaces a set that no longer forms a chain', async () => {
    const first = await ensureCertificates(dir);
    await writeFile(join(dir, 'cert.pem'), 'garbage');

    const second = await ensureCertificates(dir);

    expect(second.caPem).not.toBe(first.caPem);
    expect(new X509Certificate(second.certPem).checkIssued(new X509Certificate(second.caPem))).toBe(true);
  });
});

describe('trusting the media server through NODE_EXTRA_CA_CERTS', () => {
  let server: MediaServer;
  beforeAll(async () => {
    server = await startTestMediaServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('is how the test script runs Jest', () => {
    expect(process.env.NODE_EXTRA_CA_CERTS && resolve(process.env.NODE_EXTRA_CA_CERTS)).toBe(
      resolve(SANDBOX_CERT_DIR, 'ca.pem'),
    );
  });

  it('lets global fetch (undici) download from the media server', async () => {
    const blob = server.storeBlob('image', Buffer.from('served over trusted TLS'));

    const response = await fetch(blob.url);

    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).toString()).toBe('served over trusted TLS');
  });

  it('lets node:https talk to the media server', async () => {
    const blob = server.storeBlob('document', Buffer.from('node https'));

    const body = await new Promise<string>((resolveBody, reject) => {
      request(`${server.origin}${blob.directPath}`, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolveBody(text));
      })
        .on('error', reject)
        .end();
    });

    expect(body).toBe('node https');
  });

  it('is what makes the difference: a process without the CA refuses the certificate', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zap-certs-'));
    const { caFile, certPem, keyPem } = await ensureCertificates(dir);
    const own = await startMediaServer({ certPem, keyPem });
    const blob = own.storeBlob('image', Buffer.from('x'));
    const script = `fetch(${JSON.stringify(blob.url)}).then(r => console.log('ok', r.status), e => console.log('fail', e.cause?.code ?? e.message))`;
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    try {
      const without = await run(process.execPath, ['-e', script], { env });
      const withCa = await run(process.execPath, ['-e', script], { env: { ...env, NODE_EXTRA_CA_CERTS: caFile } });

      expect(without.stdout.trim()).toMatch(/^fail .*(CERT|SIGNATURE|ISSUER)/);
      expect(withCa.stdout.trim()).toBe('ok 200');
    } finally {
      await own.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

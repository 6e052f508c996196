import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { generate } from 'selfsigned';

/** The media server's TLS material: a local CA and a server certificate for 127.0.0.1/localhost it signed. */
export interface Certificates {
  /** Absolute path of ca.pem: what NODE_EXTRA_CA_CERTS must point at. */
  caFile: string;
  certFile: string;
  keyFile: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

const CA_FILE = 'ca.pem';
const CERT_FILE = 'cert.pem';
const KEY_FILE = 'key.pem';
const LOCK_DIR = '.lock';
const LOCK_STALE_MS = 30_000;
const LOCK_WAIT_MS = 60_000;
/** A server certificate closer than this to expiry is replaced (with a new CA, as the CA key is not kept). */
const MIN_REMAINING_VALIDITY_MS = 7 * 24 * 3600 * 1000;

/**
 * Returns the certificates in `dir`, creating them the first time (or when the set there is incomplete,
 * mismatched or about to expire). Safe to call from several processes at once: creation runs under a
 * lock directory and the files are renamed into place, ca.pem last.
 * The CA's private key is not written out: nothing else is ever signed with it.
 */
export async function ensureCertificates(dir: string): Promise<Certificates> {
  const absDir = resolve(dir);
  await mkdir(absDir, { recursive: true });
  const existing = await loadValid(absDir);
  if (existing) return existing;

  const release = await acquireLock(join(absDir, LOCK_DIR));
  try {
    const again = await loadValid(absDir);
    if (again) return again;
    const { caPem, certPem, keyPem } = await generateCertificates();
    const suffix = `.tmp-${process.pid}-${Date.now()}`;
    for (const [name, pem] of [
      [KEY_FILE, keyPem],
      [CERT_FILE, certPem],
      [CA_FILE, caPem],
    ] as const) {
      const file = join(absDir, name);
      await writeFile(file + suffix, pem, { mode: name === KEY_FILE ? 0o600 : 0o644 });
      await rename(file + suffix, file);
    }
    return files(absDir, { caPem, certPem, keyPem });
  } finally {
    await release();
  }
}

/** A fresh CA (EC P-256, 10 years) and a server certificate for IP:127.0.0.1, DNS:localhost (2 years). */
async function generateCertificates(): Promise<{ caPem: string; certPem: string; keyPem: string }> {
  const now = new Date(Date.now() - 60_000);
  const ca = await generate([{ name: 'commonName', value: 'Zap Engine simulator local CA' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: new Date(now.getTime() + 10 * 365 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: new Date(now.getTime() + 2 * 365 * 24 * 3600 * 1000),
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { caPem: ca.cert, certPem: server.cert, keyPem: server.private };
}

/** The certificates in `dir` if all three exist and still form a usable chain for 127.0.0.1 and localhost. */
async function loadValid(dir: string): Promise<Certificates | undefined> {
  let pems: { caPem: string; certPem: string; keyPem: string };
  try {
    const [caPem, certPem, keyPem] = await Promise.all(
      [CA_FILE, CERT_FILE, KEY_FILE].map((name) => readFile(join(dir, name), 'utf8')),
    );
    pems = { caPem: caPem!, certPem: certPem!, keyPem: keyPem! };
  } catch {
    return undefined;
  }
  try {
    const ca = new X509Certificate(pems.caPem);
    const cert = new X509Certificate(pems.certPem);
    const usable =
      ca.ca &&
      cert.checkIssued(ca) &&
      cert.verify(ca.publicKey) &&
      cert.checkPrivateKey(createPrivateKey(pems.keyPem)) &&
      cert.checkIP('127.0.0.1') !== undefined &&
      cert.checkHost('localhost') !== undefined &&
      new Date(cert.validTo).getTime() - Date.now() > MIN_REMAINING_VALIDITY_MS &&
      new Date(ca.validTo).getTime() - Date.now() > MIN_REMAINING_VALIDITY_MS;
    return usable ? files(dir, pems) : undefined;
  } catch {
    return undefined;
  }
}

function files(dir: string, pems: { caPem: string; certPem: string; keyPem: string }): Certificates {
  return { caFile: join(dir, CA_FILE), certFile: join(dir, CERT_FILE), keyFile: join(dir, KEY_FILE), ...pems };
}

/** A cross-process lock: mkdir is atomic. A lock older than LOCK_STALE_MS is taken over. */
async function acquireLock(lockDir: string): Promise<() => Promise<void>> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await mkdir(lockDir);
      return async () => {
        await rm(lockDir, { recursive: true, force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const age = await stat(lockDir).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > LOCK_STALE_MS) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for the certificate lock ${lockDir}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

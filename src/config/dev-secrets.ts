import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface DevSecrets {
  jwtSecret: string;
  encryptionKey: string;
}

/**
 * Development only: reads the secrets kept in `file`, generating and writing them the first time.
 * Returns `generated: true` when it wrote the file, so the caller can say so.
 */
export function loadOrCreateDevSecrets(file: string): { secrets: DevSecrets; generated: boolean } {
  if (existsSync(file)) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets>;
    if (typeof parsed.jwtSecret === 'string' && typeof parsed.encryptionKey === 'string') {
      return { secrets: { jwtSecret: parsed.jwtSecret, encryptionKey: parsed.encryptionKey }, generated: false };
    }
  }
  const secrets: DevSecrets = {
    jwtSecret: randomBytes(48).toString('base64url'),
    encryptionKey: randomBytes(32).toString('hex'),
  };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return { secrets, generated: true };
}

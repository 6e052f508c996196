import { AuthCipher } from '../../crypto/auth-cipher.js';
import { generateWebhookSecret } from './webhook-signer.js';

/**
 * Webhook secrets at rest: AES-256-GCM under ENCRYPTION_KEY (they must be recoverable to sign, so not hashed).
 * The instance id is bound as additional data, so a sealed secret copied to another instance does not open.
 */
export class WebhookSecrets {
  private readonly cipher: AuthCipher;

  constructor(encryptionKey: Buffer) {
    this.cipher = new AuthCipher(encryptionKey);
  }

  /** A new secret for an instance: the plain text (shown to the tenant) and the sealed form (stored). */
  create(instanceId: string): { secret: string; sealed: string } {
    const secret = generateWebhookSecret();
    return { secret, sealed: this.seal(instanceId, secret) };
  }

  seal(instanceId: string, secret: string): string {
    return this.cipher.encrypt(secret, aad(instanceId));
  }

  /** Throws when the value was not sealed for this instance with this key. */
  open(instanceId: string, sealed: string): string {
    return this.cipher.decrypt(sealed, aad(instanceId));
  }
}

function aad(instanceId: string): string {
  return `webhook-secret:${instanceId}`;
}

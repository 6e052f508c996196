import { HostResolutionError, RequestTimeoutError, UnsafeUrlError } from '../../net/net-errors.js';
import { vetUrl, type HostLookup } from '../../net/url-guard.js';
import { ValidationError } from '../../errors/validation-error.js';

export interface WebhookUrlPolicyOptions {
  /** WEBHOOK_ALLOW_PRIVATE_URLS. */
  allowPrivate: boolean;
  lookup?: HostLookup;
  /** Longest wait for DNS (default 3 s); a host that does not answer in time is accepted and checked again at delivery. */
  resolveTimeoutMs?: number;
}

/**
 * Checks a webhook URL when a tenant sets it: http/https, no credentials, and no private/loopback address unless
 * allowed. A host that does not resolve (yet) is accepted: every delivery vets the URL again before connecting.
 * Throws a 400 (`WEBHOOK_URL_NOT_ALLOWED`).
 */
export function webhookUrlPolicy(options: WebhookUrlPolicyOptions): (url: string) => Promise<void> {
  return async (url) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        vetUrl(url, { allowPrivate: options.allowPrivate, lookup: options.lookup }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new RequestTimeoutError(options.resolveTimeoutMs ?? 3000)), options.resolveTimeoutMs ?? 3000);
        }),
      ]);
    } catch (err) {
      if (err instanceof UnsafeUrlError) {
        throw new ValidationError(
          `webhookUrl is not allowed: ${err.message}`,
          [{ location: 'body', path: 'webhookUrl', message: err.message, code: err.code }],
          'WEBHOOK_URL_NOT_ALLOWED',
        );
      }
      if (err instanceof HostResolutionError || err instanceof RequestTimeoutError) return;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };
}

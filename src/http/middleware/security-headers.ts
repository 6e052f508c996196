import type { RequestHandler } from 'express';
import helmet from 'helmet';

export interface SecurityHeadersOptions {
  /** HSTS and upgrade-insecure-requests only in production (behind TLS); local HTTP would break with them. */
  isProduction: boolean;
}

/** The CSP of the API and the dashboard: scripts, styles, fetches and EventSource from this origin only. */
function directives(options: SecurityHeadersOptions, extra: { inlineStyles?: boolean } = {}) {
  return {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    // Swagger UI's page carries <style> blocks; nothing else here needs inline styles.
    styleSrc: extra.inlineStyles ? ["'self'", "'unsafe-inline'"] : ["'self'"],
    imgSrc: ["'self'", 'data:'], // QR codes and Swagger UI's icons are data: URLs
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    scriptSrcAttr: ["'none'"],
    upgradeInsecureRequests: options.isProduction ? [] : null,
  };
}

function headers(options: SecurityHeadersOptions, extra: { inlineStyles?: boolean } = {}): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: directives(options, extra) },
    // X-Frame-Options for browsers without frame-ancestors.
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: options.isProduction ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    xPoweredBy: false,
  }) as RequestHandler;
}

/**
 * helmet on every response: `nosniff`, `frame-ancestors 'none'` and `X-Frame-Options: DENY`, a CSP (the dashboard's
 * and the API's; /docs also allows Swagger UI's inline styles), `Referrer-Policy: no-referrer`, HSTS in production.
 * Stored media sets a stricter CSP of its own (see routes/stored-media-response.ts).
 */
export function securityHeaders(options: SecurityHeadersOptions): RequestHandler {
  const everywhere = headers(options);
  const docs = headers(options, { inlineStyles: true });
  return (req, res, next) => {
    const isDocs = req.path === '/docs' || req.path.startsWith('/docs/');
    (isDocs ? docs : everywhere)(req, res, next);
  };
}

import type { Principal } from '../services/principal.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by the request-id middleware; echoed as X-Request-Id. */
      requestId: string;
      /** Set by the authenticate middleware. */
      principal?: Principal;
    }
  }
}

export {};

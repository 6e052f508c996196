import type { UserRole } from '../persistence/entities/user.entity.js';

/** Who is calling: resolved from the session cookie, a Bearer JWT or an API key. */
export interface Principal {
  userId: string;
  tenantId: string;
  role: UserRole;
  method: 'session' | 'api_key';
  /** Session token id (for logout); absent for API keys. */
  sessionId?: string;
  sessionExpiresAt?: Date;
  apiKeyId?: string;
}

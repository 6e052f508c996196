import { ForbiddenError } from '../../errors/forbidden-error.js';
import { UnauthorizedError } from '../../errors/unauthorized-error.js';
import type { ApiKeyRepository } from '../../persistence/repositories/api-key-repository.js';
import type { TenantRepository } from '../../persistence/repositories/tenant-repository.js';
import type { UserRepository } from '../../persistence/repositories/user-repository.js';
import type { ApiKeyService } from '../api-key-service.js';
import type { AuthService, Credentials } from '../auth-service.js';
import type { Principal } from '../principal.js';
import type { ZapiTokens } from './zapi-tokens.js';
import { formatZapiDateTime } from './zapi-views.js';

/** Who calls /api: the principal and the tenant's numeric system id (checked against X-Sistema-ID). */
export interface ZapiCaller {
  principal: Principal;
  tenantId: string;
  systemId: number;
}

export interface ZapiTokenResponse {
  token: string;
  sistema_id: number;
  /** `YYYY-MM-DD HH:mm:ss`, UTC. */
  expires_at: string;
}

export interface ZapiAuthServiceDeps {
  tokens: ZapiTokens;
  apiKeys: ApiKeyService;
  apiKeyRecords: ApiKeyRepository;
  users: UserRepository;
  tenants: TenantRepository;
  auth: AuthService;
}

const MAX_INT4 = 2_147_483_647;

/** The numeric X-Sistema-ID header, or 401. */
export function parseSystemId(header: string | undefined): number {
  const value = header?.trim();
  if (value === undefined || value === '') {
    throw new UnauthorizedError('The X-Sistema-ID header is required', undefined, 'SYSTEM_ID_REQUIRED');
  }
  const id = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id) || id < 1 || id > MAX_INT4) {
    throw new UnauthorizedError('X-Sistema-ID must be the numeric system id', undefined, 'INVALID_SYSTEM_ID');
  }
  return id;
}

const mismatch = () =>
  new ForbiddenError('X-Sistema-ID does not match these credentials', undefined, 'SYSTEM_ID_MISMATCH');
const invalidToken = () => new UnauthorizedError('Invalid or expired token', undefined, 'INVALID_TOKEN');

/**
 * Authentication of the Z-API compatibility surface: `POST /api/auth/token` trades one of the tenant's API keys
 * (with X-Sistema-ID) for a token; every other /api route takes `Authorization: Bearer <token>` plus X-Sistema-ID.
 * Our own credentials (API key, session) also work there, with X-Sistema-ID.
 */
export class ZapiAuthService {
  constructor(private readonly deps: ZapiAuthServiceDeps) {}

  async issueToken(input: { apiKey: string; systemIdHeader: string | undefined }): Promise<ZapiTokenResponse> {
    const systemId = parseSystemId(input.systemIdHeader);
    const principal = await this.deps.apiKeys.resolve(input.apiKey.trim());
    if (!principal?.apiKeyId) throw new UnauthorizedError('Invalid chave_api', undefined, 'INVALID_API_KEY');
    const tenant = await this.deps.tenants.findById(principal.tenantId);
    if (!tenant) throw new UnauthorizedError('Invalid chave_api', undefined, 'INVALID_API_KEY');
    if (tenant.systemId !== systemId) throw mismatch();
    const { token, expiresAt } = await this.deps.tokens.issue({
      userId: principal.userId,
      tenantId: tenant.id,
      systemId,
      apiKeyId: principal.apiKeyId,
    });
    return { token, sistema_id: systemId, expires_at: formatZapiDateTime(expiresAt) };
  }

  async authenticate(input: { systemIdHeader: string | undefined; credentials: Credentials }): Promise<ZapiCaller> {
    const systemId = parseSystemId(input.systemIdHeader);
    const { bearer } = input.credentials;
    if (bearer !== undefined && this.deps.tokens.looksLikeToken(bearer)) {
      const claims = await this.deps.tokens.verify(bearer);
      if (!claims) throw invalidToken();
      // The key it came from must still exist (revoking a key ends its tokens), and so must the user.
      const [key, user] = await Promise.all([
        this.deps.apiKeyRecords.findForTenant(claims.apiKeyId, claims.tenantId),
        this.deps.users.findById(claims.userId),
      ]);
      if (!key || !user || user.tenantId !== claims.tenantId) throw invalidToken();
      if (claims.systemId !== systemId) throw mismatch();
      return {
        principal: { userId: user.id, tenantId: claims.tenantId, role: user.role, method: 'api_key', apiKeyId: key.id },
        tenantId: claims.tenantId,
        systemId,
      };
    }
    const principal = await this.deps.auth.authenticate(input.credentials);
    const tenant = await this.deps.tenants.findById(principal.tenantId);
    if (!tenant) throw invalidToken();
    if (tenant.systemId !== systemId) throw mismatch();
    return { principal, tenantId: tenant.id, systemId };
  }
}

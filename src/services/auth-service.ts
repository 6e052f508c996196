import { createHash } from 'node:crypto';
import { ConflictError } from '../errors/conflict-error.js';
import { RateLimitError } from '../errors/rate-limit-error.js';
import { UnauthorizedError } from '../errors/unauthorized-error.js';
import { isUniqueViolation } from '../persistence/is-unique-violation.js';
import type { WindowCounter } from '../persistence/redis/window-counter.js';
import type { TenantRepository } from '../persistence/repositories/tenant-repository.js';
import type { UserRepository } from '../persistence/repositories/user-repository.js';
import type { ApiKeyService } from './api-key-service.js';
import { toTenantView, toUserView, type TenantView, type UserView } from './auth-views.js';
import type { PasswordHasher } from './password-hasher.js';
import type { Principal } from './principal.js';
import type { SessionTokens } from './session-tokens.js';
import { ShortLivedCache } from './short-lived-cache.js';

export interface LoginLimits {
  maxFailuresPerEmail: number;
  maxFailuresPerIp: number;
  windowSeconds: number;
}

export interface AuthServiceDeps {
  users: UserRepository;
  /** How long a session's user row is reused across requests (default 1 s; 0 reads it on every request). */
  userCacheMs?: number;
  tenants: TenantRepository;
  hasher: PasswordHasher;
  tokens: SessionTokens;
  apiKeys: ApiKeyService;
  failuresByEmail: WindowCounter;
  failuresByIp: WindowCounter;
  limits: LoginLimits;
}

export interface SessionResult {
  token: string;
  expiresAt: Date;
  user: UserView;
  tenant: TenantView;
}

/** What a request presented; the first one present is used, in this order. */
export interface Credentials {
  bearer?: string;
  apiKey?: string;
  sessionCookie?: string;
}

const invalidCredentials = () => new UnauthorizedError('Invalid email or password', undefined, 'INVALID_CREDENTIALS');

export class AuthService {
  /** Compared against when the email is unknown, so both failures cost the same time. */
  private dummyHash: Promise<string> | null = null;

  private readonly users: ShortLivedCache<string, Awaited<ReturnType<UserRepository['findById']>>>;

  constructor(private readonly deps: AuthServiceDeps) {
    this.users = new ShortLivedCache(deps.userCacheMs ?? 1000);
  }

  async signup(input: { email: string; password: string; tenantName: string }): Promise<SessionResult> {
    const email = input.email.toLowerCase();
    const passwordHash = await this.deps.hasher.hash(input.password);
    let created;
    try {
      created = await this.deps.tenants.createWithUser(
        { name: input.tenantName, plan: 'starter' },
        { email, passwordHash, role: 'owner' },
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError('An account with this email already exists', undefined, 'EMAIL_TAKEN');
      throw err;
    }
    const { token, claims } = await this.deps.tokens.issue(created.user);
    return { token, expiresAt: claims.expiresAt, user: toUserView(created.user), tenant: toTenantView(created.tenant) };
  }

  async login(input: { email: string; password: string; ip: string }): Promise<SessionResult> {
    const email = input.email.toLowerCase();
    const emailId = createHash('sha256').update(email).digest('hex');
    const { limits, failuresByEmail, failuresByIp } = this.deps;
    const [byEmail, byIp] = await Promise.all([failuresByEmail.get(emailId), failuresByIp.get(input.ip)]);
    if (byEmail.count >= limits.maxFailuresPerEmail || byIp.count >= limits.maxFailuresPerIp) {
      const retry = Math.max(
        byEmail.count >= limits.maxFailuresPerEmail ? byEmail.ttlSeconds : 0,
        byIp.count >= limits.maxFailuresPerIp ? byIp.ttlSeconds : 0,
        1,
      );
      throw new RateLimitError(retry, 'Too many failed login attempts, try again later');
    }

    const user = await this.deps.users.findByEmail(email);
    const ok = user
      ? await this.deps.hasher.verify(input.password, user.passwordHash)
      : await this.deps.hasher.verify(input.password, await this.getDummyHash()).then(() => false);
    const tenant = user && ok ? await this.deps.tenants.findById(user.tenantId) : null;
    if (!user || !ok || !tenant) {
      await Promise.all([
        failuresByEmail.hit(emailId, limits.windowSeconds),
        failuresByIp.hit(input.ip, limits.windowSeconds),
      ]);
      throw invalidCredentials();
    }
    await failuresByEmail.reset(emailId);
    const { token, claims } = await this.deps.tokens.issue(user);
    return { token, expiresAt: claims.expiresAt, user: toUserView(user), tenant: toTenantView(tenant) };
  }

  /** Ends the caller's session; the token is refused from now on. API keys have no session to end. */
  async logout(principal: Principal): Promise<void> {
    if (principal.sessionId && principal.sessionExpiresAt) {
      await this.deps.tokens.revoke(principal.sessionId, principal.sessionExpiresAt);
    }
  }

  /** Who is calling; the tenant carries its numeric `systemId` (the Z-API surface's `X-Sistema-ID`). */
  async me(
    principal: Principal,
  ): Promise<{ user: UserView; tenant: TenantView & { systemId: number }; method: Principal['method'] }> {
    const [user, tenant] = await Promise.all([
      this.deps.users.findById(principal.userId),
      this.deps.tenants.findById(principal.tenantId),
    ]);
    if (!user || !tenant) throw new UnauthorizedError();
    return { user: toUserView(user), tenant: { ...toTenantView(tenant), systemId: tenant.systemId }, method: principal.method };
  }

  /** Resolves credentials to a principal or throws 401. A Bearer value may be an API key or a session JWT. */
  async authenticate(credentials: Credentials): Promise<Principal> {
    const { bearer, apiKey, sessionCookie } = credentials;
    let principal: Principal | null = null;
    if (bearer !== undefined) {
      principal = this.deps.apiKeys.looksLikeKey(bearer)
        ? await this.deps.apiKeys.resolve(bearer)
        : await this.fromSessionToken(bearer);
    } else if (apiKey !== undefined) {
      principal = await this.deps.apiKeys.resolve(apiKey);
    } else if (sessionCookie !== undefined) {
      principal = await this.fromSessionToken(sessionCookie);
    } else {
      throw new UnauthorizedError();
    }
    if (!principal) throw new UnauthorizedError('Invalid or expired credentials', undefined, 'INVALID_TOKEN');
    return principal;
  }

  private async fromSessionToken(token: string): Promise<Principal | null> {
    const claims = await this.deps.tokens.verify(token);
    if (!claims) return null;
    // A deleted user or a changed role takes effect within a second (the user row is read at most once a second).
    const user = await this.users.get(claims.userId, () => this.deps.users.findById(claims.userId));
    if (!user) return null;
    return {
      userId: user.id,
      tenantId: user.tenantId,
      role: user.role,
      method: 'session',
      sessionId: claims.sessionId,
      sessionExpiresAt: claims.expiresAt,
    };
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= this.deps.hasher.hash('dummy password for timing');
    return this.dummyHash;
  }
}

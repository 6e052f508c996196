import { createHash } from 'node:crypto';
import { ConflictError } from '../errors/conflict-error.js';
import { RateLimitError } from '../errors/rate-limit-error.js';
import { UnauthorizedError } from '../errors/unauthorized-error.js';
import { isUniqueViolation } from '../persistence/is-unique-violation.js';
import type { AttemptLimiter } from '../persistence/redis/attempt-limiter.js';
import type { TenantRepository } from '../persistence/repositories/tenant-repository.js';
import type { UserRepository } from '../persistence/repositories/user-repository.js';
import type { ApiKeyService } from './api-key-service.js';
import { toTenantView, toUserView, type TenantView, type UserView } from './auth-views.js';
import type { PasswordHasher } from './password-hasher.js';
import type { Principal } from './principal.js';
import type { SessionTokens } from './session-tokens.js';
import { ShortLivedCache } from './short-lived-cache.js';

export interface LoginLimits {
  /** Failed logins per email from one IP address (a lock per email+IP pair: others cannot lock the owner out). */
  maxFailuresPerEmail: number;
  /** Failed logins per IP address, across emails. */
  maxFailuresPerIp: number;
  windowSeconds: number;
}

export interface SignupLimits {
  /** Signups (attempts, taken email or not) per IP address and window. */
  maxPerIp: number;
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
  attempts: AttemptLimiter;
  limits: LoginLimits;
  signupLimits: SignupLimits;
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

  /** `ip`: the caller's address; signups are rate-limited per address (EMAIL_TAKEN would otherwise enumerate emails). */
  async signup(input: { email: string; password: string; tenantName: string; ip: string }): Promise<SessionResult> {
    const { signupLimits } = this.deps;
    const decision = await this.deps.attempts.reserve([
      { namespace: 'signup-ip', id: input.ip, max: signupLimits.maxPerIp, windowSeconds: signupLimits.windowSeconds },
    ]);
    if (!decision.allowed) throw new RateLimitError(decision.retryAfterSeconds, 'Too many signups from this address, try again later');
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

  /**
   * Each attempt is counted before the password is checked, in one atomic step (see AttemptLimiter), so parallel
   * guesses cannot slip past the limit. The lock is per email and IP pair, plus per IP: failures from elsewhere never
   * lock the owner out. A successful login clears its pair and is not counted against its IP.
   */
  async login(input: { email: string; password: string; ip: string }): Promise<SessionResult> {
    const email = input.email.toLowerCase();
    const emailId = createHash('sha256').update(email).digest('hex');
    const { limits, attempts } = this.deps;
    const pair = { namespace: 'login-pair', id: `${emailId}:${input.ip}` };
    const byIp = { namespace: 'login-ip', id: input.ip };
    const decision = await attempts.reserve([
      { ...pair, max: limits.maxFailuresPerEmail, windowSeconds: limits.windowSeconds },
      { ...byIp, max: limits.maxFailuresPerIp, windowSeconds: limits.windowSeconds },
    ]);
    if (!decision.allowed) throw new RateLimitError(decision.retryAfterSeconds, 'Too many failed login attempts, try again later');

    const user = await this.deps.users.findByEmail(email);
    const ok = user
      ? await this.deps.hasher.verify(input.password, user.passwordHash)
      : await this.deps.hasher.verify(input.password, await this.getDummyHash()).then(() => false);
    const tenant = user && ok ? await this.deps.tenants.findById(user.tenantId) : null;
    if (!user || !ok || !tenant) throw invalidCredentials(); // the attempt stays counted
    await Promise.all([attempts.reset(pair), attempts.release(byIp)]);
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

import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { LruMap } from '../lru-map.js';
import type { UserRole } from '../persistence/entities/user.entity.js';
import type { TokenRevocationStore } from '../persistence/redis/token-revocation-store.js';

export interface SessionClaims {
  userId: string;
  tenantId: string;
  role: UserRole;
  sessionId: string;
  expiresAt: Date;
}

/** Signs and verifies session JWTs (HS256); revocation lives in Redis so logout takes effect at once. */
export class SessionTokens {
  private readonly key: Uint8Array;
  /**
   * Tokens whose signature was already checked, with their claims: a client sends the same token with every
   * request, and an HMAC check through WebCrypto costs more than the rest of authentication. Expiry is still
   * checked each time and revocation is read from Redis each time. Bounded (oldest first out).
   */
  private readonly verified = new LruMap<string, Omit<SessionClaims, 'expiresAt'> & { exp: number }>(10_000);

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
    private readonly revocations: TokenRevocationStore,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(user: { id: string; tenantId: string; role: UserRole }): Promise<{ token: string; claims: SessionClaims }> {
    const sessionId = randomUUID();
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.ttlSeconds;
    const token = await new SignJWT({ tid: user.tenantId, role: user.role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.id)
      .setJti(sessionId)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(this.key);
    return {
      token,
      claims: { userId: user.id, tenantId: user.tenantId, role: user.role, sessionId, expiresAt: new Date(exp * 1000) },
    };
  }

  /** The claims of a valid, unexpired, unrevoked token; null otherwise. */
  async verify(token: string): Promise<SessionClaims | null> {
    const claims = this.verified.get(token) ?? (await this.checkSignature(token));
    if (!claims) return null;
    if (claims.exp * 1000 <= Date.now()) {
      this.verified.delete(token);
      return null;
    }
    if (await this.revocations.isRevoked(claims.sessionId)) return null;
    const { exp, ...rest } = claims;
    return { ...rest, expiresAt: new Date(exp * 1000) };
  }

  /** Verifies signature, algorithm, expiry and claim shapes; remembers a good token. */
  private async checkSignature(token: string): Promise<(Omit<SessionClaims, 'expiresAt'> & { exp: number }) | null> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] }));
    } catch {
      return null;
    }
    const { sub, jti, exp, tid, role } = payload;
    if (typeof sub !== 'string' || typeof jti !== 'string' || typeof exp !== 'number' || typeof tid !== 'string') {
      return null;
    }
    if (role !== 'owner' && role !== 'platform_admin') return null;
    const claims = { userId: sub, tenantId: tid, role, sessionId: jti, exp } as const;
    this.verified.set(token, claims);
    return claims;
  }

  async revoke(sessionId: string, expiresAt: Date): Promise<void> {
    await this.revocations.revoke(sessionId, (expiresAt.getTime() - Date.now()) / 1000);
  }
}

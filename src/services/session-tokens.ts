import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
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
    if (await this.revocations.isRevoked(jti)) return null;
    return { userId: sub, tenantId: tid, role, sessionId: jti, expiresAt: new Date(exp * 1000) };
  }

  async revoke(sessionId: string, expiresAt: Date): Promise<void> {
    await this.revocations.revoke(sessionId, (expiresAt.getTime() - Date.now()) / 1000);
  }
}

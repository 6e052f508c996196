import { createHmac, randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

export interface ZapiTokenClaims {
  userId: string;
  tenantId: string;
  systemId: number;
  /** The API key the token was made from: revoking the key ends its tokens. */
  apiKeyId: string;
  expiresAt: Date;
}

const AUDIENCE = 'zapi-compat';
const TOKEN_PATTERN = /^(\d{1,10})\|([\w-]+\.[\w-]+\.[\w-]+)$/;

/**
 * Tokens of the Z-API compatibility surface: `<sistema_id>|<JWT>` (the old API's "1|abc..." look; clients treat it
 * as opaque). HS256 under a key derived from JWT_SECRET for this purpose only, so a compat token is never accepted
 * as a session token (nor the reverse): it works on /api only.
 */
export class ZapiTokens {
  private readonly key: Uint8Array;

  constructor(
    jwtSecret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = createHmac('sha256', jwtSecret).update('zap-engine/zapi-compat-token/v1').digest();
  }

  looksLikeToken(value: string): boolean {
    return TOKEN_PATTERN.test(value);
  }

  async issue(claims: Omit<ZapiTokenClaims, 'expiresAt'>): Promise<{ token: string; expiresAt: Date }> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.ttlSeconds;
    const jwt = await new SignJWT({ tid: claims.tenantId, sys: claims.systemId, akid: claims.apiKeyId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.userId)
      .setAudience(AUDIENCE)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token: `${claims.systemId}|${jwt}`, expiresAt: new Date(exp * 1000) };
  }

  /** The claims of a well-formed, correctly signed, unexpired token; null otherwise. */
  async verify(token: string): Promise<ZapiTokenClaims | null> {
    const match = TOKEN_PATTERN.exec(token);
    if (!match?.[1] || !match[2]) return null;
    let payload;
    try {
      ({ payload } = await jwtVerify(match[2], this.key, { algorithms: ['HS256'], audience: AUDIENCE }));
    } catch {
      return null;
    }
    const { sub, exp, tid, sys, akid } = payload;
    if (typeof sub !== 'string' || typeof exp !== 'number' || typeof tid !== 'string' || typeof akid !== 'string') return null;
    if (typeof sys !== 'number' || String(sys) !== match[1]) return null;
    return { userId: sub, tenantId: tid, systemId: sys, apiKeyId: akid, expiresAt: new Date(exp * 1000) };
  }
}

import { createHash, randomBytes } from 'node:crypto';
import { NotFoundError } from '../errors/not-found-error.js';
import type { ApiKeyEntity } from '../persistence/entities/api-key.entity.js';
import type { ApiKeyRepository } from '../persistence/repositories/api-key-repository.js';
import { LruMap } from '../lru-map.js';
import type { Principal } from './principal.js';

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

const KEY_PREFIX = 'zk_';

function toView(k: ApiKeyEntity): ApiKeyView {
  return { id: k.id, name: k.name, prefix: k.prefix, createdAt: k.createdAt, lastUsedAt: k.lastUsedAt };
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export interface ApiKeyServiceOptions {
  /** How often a key's `lastUsedAt` is written while it is in use, per node (default 60 s). */
  touchEveryMs?: number;
  now?: () => number;
}

/**
 * API keys for server-to-server clients: shown once, stored as a sha256 hash (they are 256-bit random).
 *
 * A request with a key costs one statement (the key and its user together), read every time so that a revoked key
 * or a removed user is refused at once on every node. `lastUsedAt` is written at most once a minute per key and node
 * (a client sending 200 requests a second wrote it 200 times a second), so it is exact to the minute.
 */
export class ApiKeyService {
  private readonly touchEveryMs: number;
  private readonly now: () => number;
  /** When this node last wrote each key's `lastUsedAt`. */
  private readonly touched = new LruMap<string, number>(10_000);

  constructor(
    private readonly keys: ApiKeyRepository,
    options: ApiKeyServiceOptions = {},
  ) {
    this.touchEveryMs = options.touchEveryMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  looksLikeKey(value: string): boolean {
    return value.startsWith(KEY_PREFIX);
  }

  async create(principal: Principal, name: string): Promise<ApiKeyView & { key: string }> {
    const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const saved = await this.keys.create({
      tenantId: principal.tenantId,
      userId: principal.userId,
      name,
      prefix: key.slice(0, 10),
      keyHash: hashKey(key),
    });
    return { ...toView(saved), key };
  }

  async list(principal: Principal): Promise<ApiKeyView[]> {
    return (await this.keys.listByTenant(principal.tenantId)).map(toView);
  }

  async revoke(principal: Principal, id: string): Promise<void> {
    if (!(await this.keys.deleteForTenant(id, principal.tenantId))) throw new NotFoundError('API key not found');
  }

  /** The principal of a valid key (acting as the user who created it), or null. */
  async resolve(key: string): Promise<Principal | null> {
    if (!this.looksLikeKey(key) || key.length > 200) return null;
    const found = await this.keys.findPrincipalByHash(hashKey(key));
    if (!found) return null;
    const at = this.now();
    const last = this.touched.get(found.keyId);
    if (last === undefined || at - last >= this.touchEveryMs) {
      this.touched.set(found.keyId, at);
      // Best effort; a lost update of last-used is harmless.
      void this.keys.touch(found.keyId, new Date(at)).catch(() => undefined);
    }
    return { userId: found.userId, tenantId: found.tenantId, role: found.role, method: 'api_key', apiKeyId: found.keyId };
  }
}

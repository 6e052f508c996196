import { createHash, randomBytes } from 'node:crypto';
import { NotFoundError } from '../errors/not-found-error.js';
import type { ApiKeyEntity } from '../persistence/entities/api-key.entity.js';
import type { ApiKeyRepository } from '../persistence/repositories/api-key-repository.js';
import type { UserRepository } from '../persistence/repositories/user-repository.js';
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

/** API keys for server-to-server clients: shown once, stored as a sha256 hash (they are 256-bit random). */
export class ApiKeyService {
  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly users: UserRepository,
  ) {}

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
    const found = await this.keys.findByHash(hashKey(key));
    if (!found) return null;
    const user = await this.users.findById(found.userId);
    if (!user) return null;
    // Best effort; a lost update of last-used is harmless.
    void this.keys.touch(found.id, new Date()).catch(() => undefined);
    return { userId: user.id, tenantId: found.tenantId, role: user.role, method: 'api_key', apiKeyId: found.id };
  }
}

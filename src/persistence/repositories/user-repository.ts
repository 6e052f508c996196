import type { DataSource } from 'typeorm';
import { TenantEntity } from '../entities/tenant.entity.js';
import { UserEntity } from '../entities/user.entity.js';
import { selectOne } from '../sql.js';

export class UserRepository {
  constructor(private readonly ds: DataSource) {}

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.ds.getRepository(UserEntity).findOneBy({ email });
  }

  /** Read on every authenticated request (a deleted user or a changed role counts at once): a plain SELECT. */
  findById(id: string): Promise<UserEntity | null> {
    return selectOne(this.ds.manager, UserEntity, { id });
  }

  /**
   * Makes `email` a platform admin with this password hash: updates the user if it exists,
   * otherwise creates it with its own "Platform" tenant. Returns whether it was created.
   */
  async upsertPlatformAdmin(email: string, passwordHash: string): Promise<{ user: UserEntity; created: boolean }> {
    return this.ds.transaction(async (em) => {
      // Serialise concurrent starts of several nodes.
      await em.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`platform-admin:${email}`]);
      const existing = await em.findOneBy(UserEntity, { email });
      if (existing) {
        existing.passwordHash = passwordHash;
        existing.role = 'platform_admin';
        return { user: await em.save(existing), created: false };
      }
      const tenant = await em.save(em.create(TenantEntity, { name: 'Platform', plan: 'enterprise' }));
      const user = await em.save(
        em.create(UserEntity, { email, passwordHash, role: 'platform_admin', tenantId: tenant.id }),
      );
      return { user, created: true };
    });
  }
}

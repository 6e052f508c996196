import type { TenantEntity } from '../persistence/entities/tenant.entity.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';

export interface UserView {
  id: string;
  email: string;
  role: UserEntity['role'];
}

export interface TenantView {
  id: string;
  name: string;
  plan: TenantEntity['plan'];
}

export function toUserView(user: UserEntity): UserView {
  return { id: user.id, email: user.email, role: user.role };
}

export function toTenantView(tenant: TenantEntity): TenantView {
  return { id: tenant.id, name: tenant.name, plan: tenant.plan };
}

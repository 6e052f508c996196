import { ApiKeyEntity } from './entities/api-key.entity.js';
import { InstanceEntity } from './entities/instance.entity.js';
import { TenantEntity } from './entities/tenant.entity.js';
import { UserEntity } from './entities/user.entity.js';

/** Every entity the data source knows; later issues append theirs here. */
export const entities = [TenantEntity, UserEntity, ApiKeyEntity, InstanceEntity];

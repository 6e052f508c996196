import { z } from 'zod';
import { success, timestamp } from './common-schemas.js';
import { InstanceDetailSchema } from './instance-schemas.js';

const plan = z.enum(['starter', 'pro', 'enterprise']);

export const TenantIdParamsSchema = z.object({ id: z.uuid() });

export const PatchTenantBodySchema = z.strictObject({ plan }).meta({ id: 'PatchTenantBody' });

export const AdminInstancesQuerySchema = z.strictObject({
  status: z.enum(['created', 'qr', 'connected', 'disconnected', 'banned']).optional(),
});

export const AdminTenantSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    plan,
    instanceLimit: z.number().int(),
    instanceCount: z.number().int(),
    userCount: z.number().int(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'AdminTenant' });

export const AdminTenantResponseSchema = success(AdminTenantSchema).meta({ id: 'AdminTenantResponse' });
export const AdminTenantListResponseSchema = success(z.array(AdminTenantSchema)).meta({ id: 'AdminTenantListResponse' });
export const AdminInstanceSchema = InstanceDetailSchema.extend({ tenantId: z.uuid(), nodeId: z.string().nullable() }).meta({
  id: 'AdminInstance',
});
export const AdminInstanceListResponseSchema = success(z.array(AdminInstanceSchema)).meta({ id: 'AdminInstanceListResponse' });
export const AdminInstanceResponseSchema = success(AdminInstanceSchema).meta({ id: 'AdminInstanceResponse' });

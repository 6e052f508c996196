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

/** GET /admin/nodes takes no query: anything given is a 400. */
export const AdminNodesQuerySchema = z.strictObject({});

const instanceStatus = z.enum(['created', 'qr', 'connected', 'disconnected', 'banned']);

export const AdminNodeSchema = z
  .object({
    nodeId: z.string().nullable().meta({ description: 'NODE_ID holding the socket leases of these instances; null: held by no node' }),
    instanceCount: z.number().int(),
    byStatus: z.record(instanceStatus, z.number().int()),
    connectedLastHour: z
      .number()
      .int()
      .meta({ description: 'connection.update events with status connected in the last hour (pairings, restarts, reconnects)' }),
    instances: z.array(
      z.object({ id: z.string(), name: z.string(), tenantId: z.uuid(), status: instanceStatus, connectedLastHour: z.number().int() }),
    ),
  })
  .meta({ id: 'AdminNode' });
export const AdminNodeListResponseSchema = success(z.array(AdminNodeSchema)).meta({ id: 'AdminNodeListResponse' });

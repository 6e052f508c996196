import { z } from 'zod';
import { INSTANCE_ID_PATTERN } from '../../services/ids.js';
import { httpUrl, success, timestamp } from './common-schemas.js';

const status = z.enum(['created', 'qr', 'connected', 'disconnected', 'banned']).meta({ id: 'InstanceStatus' });
const name = z.string().trim().min(3).max(50);

export const InstanceIdParamsSchema = z.object({
  instanceId: z.string().regex(INSTANCE_ID_PATTERN, 'must look like inst_xxxxxxxxxxxx'),
});

export const CreateInstanceBodySchema = z
  .strictObject({ name, webhookUrl: httpUrl.nullable().optional() })
  .meta({ id: 'CreateInstanceBody' });

export const UpdateInstanceBodySchema = z
  .strictObject({ name: name.optional(), webhookUrl: httpUrl.nullable().optional() })
  .refine((b) => b.name !== undefined || b.webhookUrl !== undefined, { message: 'give name or webhookUrl' })
  .meta({ id: 'UpdateInstanceBody' });

export const InstanceSummarySchema = z
  .object({
    id: z.string().meta({ example: 'inst_3kTq9vX2mN8pLw4Z' }),
    name: z.string(),
    phone: z.string().nullable(),
    status,
    webhookUrl: z.string().nullable(),
    createdAt: timestamp,
    active: z.boolean(),
  })
  .meta({ id: 'InstanceSummary' });

export const InstanceDetailSchema = InstanceSummarySchema.extend({
  statusReason: z.string().nullable(),
  integration: z.literal('WHATSAPP-BAILEYS'),
  profilePicUrl: z.string().nullable(),
  updatedAt: timestamp,
}).meta({ id: 'InstanceDetail' });

export const InstanceListResponseSchema = success(z.array(InstanceSummarySchema)).meta({ id: 'InstanceListResponse' });
export const InstanceDetailResponseSchema = success(InstanceDetailSchema).meta({ id: 'InstanceDetailResponse' });
export const InstanceCreatedResponseSchema = success(
  z.object({
    instanceId: z.string(),
    instanceName: z.string(),
    status,
    integration: z.literal('WHATSAPP-BAILEYS'),
    webhookUrl: z.string().nullable(),
  }),
).meta({ id: 'InstanceCreatedResponse' });

export const InstanceDeletedResponseSchema = z
  .object({ success: z.literal(true), message: z.literal('Instance deleted successfully') })
  .meta({ id: 'InstanceDeletedResponse' });

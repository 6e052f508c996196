import { z } from 'zod';
import { INSTANCE_ID_PATTERN } from '../../services/ids.js';
import { WEBHOOK_EVENTS, webhookEventsSubscriptionSchema } from '../../services/webhooks/webhook-events.js';
import { httpUrl, success, timestamp } from './common-schemas.js';

const status = z.enum(['created', 'qr', 'connected', 'disconnected', 'banned']).meta({ id: 'InstanceStatus' });
const name = z.string().trim().min(3).max(50);
const webhookEvents = webhookEventsSubscriptionSchema
  .nullable()
  .optional()
  .meta({ description: `Events sent to webhookUrl (null or absent: all): ${WEBHOOK_EVENTS.join(', ')}` });

export const InstanceIdParamsSchema = z.object({
  instanceId: z.string().regex(INSTANCE_ID_PATTERN, 'must look like inst_xxxxxxxxxxxx'),
});

export const CreateInstanceBodySchema = z
  .strictObject({ name, webhookUrl: httpUrl.nullable().optional(), webhookEvents })
  .meta({ id: 'CreateInstanceBody' });

export const UpdateInstanceBodySchema = z
  .strictObject({ name: name.optional(), webhookUrl: httpUrl.nullable().optional(), webhookEvents })
  .refine((b) => b.name !== undefined || b.webhookUrl !== undefined || b.webhookEvents !== undefined, {
    message: 'give name, webhookUrl or webhookEvents',
  })
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

export const QrCodeSchema = z
  .object({
    base64: z.string().meta({ example: 'data:image/png;base64,iVBORw0KGgo...' }),
    code: z.string().meta({ description: 'The raw QR string (what the phone reads)' }),
    expiry: z.number().int().meta({ description: 'Seconds this code lives', example: 20 }),
    attemptId: z.string().meta({ example: 'qr_attempt_1' }),
    attempt: z.number().int().meta({ description: 'This code\'s number in the cycle, 1-based', example: 1 }),
    maxAttempts: z.number().int().meta({ description: 'Codes per cycle; after the last, the instance waits for regenerate-qr', example: 6 }),
  })
  .meta({ id: 'QrCode' });

export const InstanceDetailSchema = InstanceSummarySchema.extend({
  statusReason: z
    .string()
    .nullable()
    .meta({ description: 'Why the status last changed: qr, connected, qr_expired, logged_out, replaced, banned, network, restarting, ...' }),
  integration: z.literal('WHATSAPP-BAILEYS'),
  profilePicUrl: z.string().nullable(),
  updatedAt: timestamp,
  qrCode: QrCodeSchema.optional().meta({ description: 'Only while status is qr' }),
  webhookEvents: z.array(z.string()).nullable().meta({ description: 'Subscribed webhook events; null means all' }),
  webhookSecret: z.string().nullable().optional().meta({ description: 'Signs every webhook (X-Webhook-Signature); rotatable' }),
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
    webhookSecret: z.string().nullable().meta({ description: 'Signs every webhook (X-Webhook-Signature)' }),
  }),
).meta({ id: 'InstanceCreatedResponse' });

export const InstanceDeletedResponseSchema = z
  .object({ success: z.literal(true), message: z.literal('Instance deleted successfully') })
  .meta({ id: 'InstanceDeletedResponse' });

import { z } from 'zod';
import { MAX_PAGE_SIZE, type ZapiInstanceRef } from '../../services/zapi/zapi-service.js';

/**
 * Schemas of the Z-API compatibility surface (/api), after the Z-API-INSTANCE API v1.0.4. Bodies are not strict:
 * the old API ignored unknown fields and its clients must keep working unchanged.
 */

const MAX_INT4 = 2_147_483_647;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An instance as the old API names it: its uuid or its numeric id (the examples use `"1"`). */
export const ZapiInstanceRefSchema = z
  .string()
  .trim()
  .refine((v) => UUID.test(v) || (/^\d{1,10}$/.test(v) && Number(v) >= 1 && Number(v) <= MAX_INT4), {
    message: 'must be the instance uuid or its numeric id',
  })
  .meta({ description: 'Instance uuid, or its numeric id', example: 'f571facd-137c-468e-9055-bc312bf983ce' });

/** A value ZapiInstanceRefSchema accepted, as a repository lookup. */
export function toInstanceRef(value: string): ZapiInstanceRef {
  return UUID.test(value) ? { uuid: value.toLowerCase() } : { legacyId: Number(value) };
}

const page = z.coerce.number().int().min(1).max(1_000_000);
const pageSize = z.coerce.number().int().min(1).max(MAX_PAGE_SIZE);

export const ZapiTokenBodySchema = z
  .object({ chave_api: z.string().trim().min(1).max(200).meta({ description: 'One of the tenant’s API keys (zk_...)' }) })
  .meta({ id: 'CompatTokenBody' });

export const ZapiSystemIdHeaderSchema = z.object({
  'X-Sistema-ID': z.string().regex(/^\d+$/).meta({ description: 'The tenant’s numeric system id (GET /auth/me: tenant.systemId)', example: '1' }),
});

export const ZapiTokenResponseSchema = z
  .object({
    token: z.string().meta({ example: '1|eyJhbGciOiJIUzI1NiIs...' }),
    sistema_id: z.number().int(),
    expires_at: z.string().meta({ description: 'UTC, YYYY-MM-DD HH:mm:ss', example: '2025-04-16 00:05:50' }),
  })
  .meta({ id: 'CompatTokenResponse' });

export const ZapiCreateInstanceBodySchema = z
  .object({
    tag: z.string().trim().min(1).max(50).meta({ description: 'Unique per tenant; also the instance name' }),
    descricao: z.string().trim().min(1).max(255),
    instance_id: z.string().trim().min(1).max(200).meta({ description: 'The instance id at the old provider; echoed back' }),
    instance_token: z.string().min(1).max(500).meta({ description: 'Required for compatibility; never stored' }),
    client_token: z.string().min(1).max(500).meta({ description: 'Required for compatibility; never stored' }),
  })
  .meta({ id: 'CompatCreateInstanceBody' });

export const ZapiInstanceSchema = z
  .object({
    sistema_id: z.number().int(),
    tag: z.string(),
    descricao: z.string().nullable(),
    instance_id: z.string().nullable(),
    uuid: z.uuid(),
    updated_at: z.string().meta({ example: '2025-04-30T00:27:17.000000Z' }),
    created_at: z.string().meta({ example: '2025-04-30T00:27:17.000000Z' }),
    id: z.number().int(),
  })
  .meta({ id: 'CompatInstance' });

export const ZapiInstanceListResponseSchema = z
  .object({ data: z.array(z.object({ id: z.number().int(), tag: z.string(), descricao: z.string().nullable() })) })
  .meta({ id: 'CompatInstanceList' });

export const ZapiInstanceDeletedResponseSchema = z
  .object({ success: z.literal(true), message: z.string() })
  .meta({ id: 'CompatInstanceDeleted' });

export const ZapiInstanceParamsSchema = z.object({ uuid: ZapiInstanceRefSchema });
export const ZapiLinkParamsSchema = z.object({ instancia_uuid: ZapiInstanceRefSchema });
export const ZapiPagedParamsSchema = z.object({ instancia_uuid: ZapiInstanceRefSchema, pagina: page });
export const ZapiPageSizeQuerySchema = z.object({
  pageSize: pageSize.optional().meta({ description: `Items per page (default 20, at most ${MAX_PAGE_SIZE})` }),
});
export const ZapiConversationParamsSchema = z.object({
  instancia_uuid: ZapiInstanceRefSchema,
  contato: z.string().trim().min(1).max(100).meta({ description: 'Phone digits, a JID, or <id>-group', example: '5511988043592' }),
});
export const ZapiConversationQuerySchema = z.object({ page: page.default(1), pageSize: pageSize.optional() });

export const ZapiContactListResponseSchema = z
  .array(z.object({ vname: z.string(), phone: z.string() }))
  .meta({ id: 'CompatContactList' });

export const ZapiMessageListResponseSchema = z
  .array(z.object({ message: z.string(), fromMe: z.boolean(), timestamp: z.number().int().meta({ description: 'Epoch ms' }) }))
  .meta({ id: 'CompatMessageList' });

export const ZapiChatListResponseSchema = z
  .array(
    z.object({
      pinned: z.enum(['true', 'false']),
      messagesUnread: z.string().meta({ example: '0' }),
      unread: z.string().meta({ example: '0' }),
      lastMessageTime: z.string().meta({ description: 'Epoch ms as a string; "0" when none', example: '1747678644000' }),
      isGroupAnnouncement: z.boolean(),
      archived: z.enum(['true', 'false']),
      phone: z.string().meta({ description: 'Digits; <id>-group for groups; the JID for LIDs' }),
      name: z.string(),
      isGroup: z.boolean(),
      isMuted: z.enum(['0', '1']),
      isMarkedSpam: z.enum(['true', 'false']),
    }),
  )
  .meta({ id: 'CompatChatList' });

export const ZapiLinkStatusResponseSchema = z
  .object({ connected: z.boolean(), smartphoneConnected: z.boolean() })
  .meta({ id: 'CompatLinkStatus' });

export const ZapiQrResponseSchema = z
  .object({ value: z.string().meta({ description: 'PNG as a data URL (data:image/png;base64,...)' }) })
  .meta({ id: 'CompatQrCode' });

export const ZapiValueTrueResponseSchema = z.object({ value: z.literal(true) }).meta({ id: 'CompatValueTrue' });

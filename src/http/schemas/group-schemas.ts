import { z } from 'zod';
import { INSTANCE_ID_PATTERN } from '../../services/ids.js';
import { httpUrl, success } from './common-schemas.js';

const instanceId = z.string().regex(INSTANCE_ID_PATTERN, 'must look like inst_xxxxxxxxxxxx');

/** `120363…@g.us` (the `@` raw or `%40`), an older `<creator>-<time>@g.us`, or the bare id: always the full JID after. */
export const groupJid = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(\d{5,20}|\d{5,15}-\d{5,12})(@g\.us)?$/, 'a group JID is <digits>@g.us (or the bare id)')
  .transform((v) => (v.endsWith('@g.us') ? v : `${v}@g.us`))
  .meta({ description: 'The group JID (`120363…@g.us`) or its bare id', example: '120363012345678901@g.us' });

export const GroupParamsSchema = z.object({ instanceId, jid: groupJid });

const subject = z.string().trim().min(1).max(100).meta({ description: 'The group name (WhatsApp allows 100 characters)' });
const description = z.string().max(2048);
const participant = z.string().trim().min(1).max(100).meta({ description: 'Phone number in any common writing, or a user JID/LID', example: '5511999999999' });

export const CreateGroupBodySchema = z
  .strictObject({
    subject,
    participants: z.array(participant).min(1).max(1024),
    description: description.optional(),
  })
  .meta({ id: 'CreateGroupBody' });

export const UpdateGroupBodySchema = z
  .strictObject({
    subject: subject.optional(),
    description: description.nullable().optional().meta({ description: 'null (or "") removes it' }),
    settings: z
      .strictObject({
        announcement: z.boolean().optional().meta({ description: 'Only admins send messages' }),
        locked: z.boolean().optional().meta({ description: 'Only admins edit the subject, description and picture' }),
      })
      .refine((s) => s.announcement !== undefined || s.locked !== undefined, { message: 'give announcement and/or locked' })
      .optional(),
  })
  .refine((b) => b.subject !== undefined || b.description !== undefined || b.settings !== undefined, {
    message: 'give at least one of subject, description, settings',
  })
  .transform((b) => ({ ...b, ...(b.description === '' ? { description: null } : {}) }))
  .meta({ id: 'UpdateGroupBody' });

export const GroupParticipantsBodySchema = z
  .strictObject({
    action: z.enum(['add', 'remove', 'promote', 'demote']),
    participants: z.array(participant).min(1).max(256),
  })
  .meta({ id: 'GroupParticipantsBody' });

const INVITE_LINK = /^https?:\/\/chat\.whatsapp\.com\/(?:invite\/)?/i;

export const JoinGroupBodySchema = z
  .strictObject({
    inviteCode: z
      .string()
      .trim()
      .transform((v) => v.replace(INVITE_LINK, ''))
      .pipe(z.string().regex(/^[A-Za-z0-9]{10,64}$/, 'an invite code (letters and digits) or a chat.whatsapp.com link'))
      .meta({ description: 'The code, or the whole https://chat.whatsapp.com/<code> link', example: 'Fh3kq9XbT2sLmN4pQr8vWz' }),
  })
  .meta({ id: 'JoinGroupBody' });

export const SetGroupPictureBodySchema = z
  .strictObject({
    imageBase64: z.base64().min(4).optional().meta({ description: 'A JPEG, PNG or WebP image, base64' }),
    imageUrl: httpUrl.optional().meta({ description: 'Or a URL to fetch it from (the same guard as media sends)' }),
  })
  .refine((b) => (b.imageBase64 === undefined) !== (b.imageUrl === undefined), { message: 'give exactly one of imageBase64, imageUrl' })
  .meta({ id: 'SetGroupPictureBody' });

// Responses (for the OpenAPI document).

const role = z.enum(['superadmin', 'admin', 'member']);
export const GroupSchema = z
  .object({
    jid: z.string(),
    subject: z.string(),
    description: z.string().nullable(),
    owner: z.object({ jid: z.string(), phone: z.string().nullable() }).nullable(),
    createdAt: z.iso.datetime().nullable(),
    settings: z.object({ announcement: z.boolean(), locked: z.boolean() }),
    addressingMode: z.enum(['pn', 'lid']),
    size: z.number().int(),
    participants: z.array(z.object({ jid: z.string(), phone: z.string().nullable(), lid: z.string().nullable(), role })),
  })
  .meta({ id: 'Group' });

export const GroupResponseSchema = success(GroupSchema);
export const GroupListResponseSchema = success(
  z.object({ items: z.array(GroupSchema), total: z.number().int(), page: z.number().int(), pageSize: z.number().int(), totalPages: z.number().int() }),
);
export const ParticipantsResponseSchema = success(
  z.object({
    jid: z.string(),
    action: z.enum(['add', 'remove', 'promote', 'demote']),
    results: z.array(
      z.object({
        jid: z.string(),
        phone: z.string().nullable(),
        success: z.boolean(),
        status: z.enum([
          'added', 'removed', 'promoted', 'demoted', 'already_in', 'already_admin', 'not_admin', 'not_in_group',
          'not_on_whatsapp', 'needs_invite', 'not_authorized', 'recently_left', 'group_full', 'failed',
        ]),
        code: z.number().int().meta({ description: "WhatsApp's code: 200, 403, 404, 408, 409, 500" }),
        invite: z.object({ code: z.string(), expiresAt: z.iso.datetime().nullable() }).optional(),
      }),
    ),
  }),
).meta({ id: 'GroupParticipantsResponse' });
export const InviteCodeResponseSchema = success(z.object({ jid: z.string(), inviteCode: z.string(), inviteUrl: z.string() }));
export const LeaveResponseSchema = success(z.object({ jid: z.string(), left: z.literal(true) }));
export const GroupPictureResponseSchema = success(z.object({ jid: z.string(), url: z.string().nullable() }));

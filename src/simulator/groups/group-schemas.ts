import { z } from 'zod';
import { exactlyOneKind, messageKindFields } from '../messaging/kind-schemas.js';

const phone = z.string().regex(/^\d{5,20}$/, 'digits only, with country code');
const subject = z.string().min(1).max(100);
const description = z.string().max(2048);

export const createGroupBody = z.object({
  /** The contact who creates the group (becomes its superadmin). */
  creator: phone,
  subject,
  /** Contacts and linked numbers to add; the creator is added anyway. */
  participants: z.array(phone).min(1).max(256),
  description: description.min(1).optional(),
});

export const updateGroupBody = z
  .object({
    by: phone,
    subject: subject.optional(),
    description: description.nullable().optional(),
    /** Only admins send messages (WhatsApp's "announcement"). */
    announce: z.boolean().optional(),
    /** Only admins edit the group info ("locked"). */
    locked: z.boolean().optional(),
  })
  .refine((b) => [b.subject, b.description, b.announce, b.locked].some((v) => v !== undefined), { message: 'subject, description, announce or locked' });

export const groupByBody = z.object({ by: phone });
export const joinGroupBody = z.object({ phone, code: z.string().regex(/^[A-Za-z0-9]{6,64}$/, 'an invite code (the part after chat.whatsapp.com/)') });
export const groupPictureBody = z.object({ by: phone, picture: z.object({ dataBase64: z.string().min(4).max(7_000_000).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64') }).nullable() });

export const groupParticipantsBody = z.object({
  by: phone,
  action: z.enum(['add', 'remove', 'promote', 'demote']),
  participants: z.array(phone).min(1).max(256),
});

/** A member contact's group message: one kind (see messaging/kind-schemas.ts). */
export const groupMessageBody = z
  .object({ from: phone, ...messageKindFields })
  .refine(exactlyOneKind.check, { message: exactlyOneKind.message });

export type CreateGroupBody = z.infer<typeof createGroupBody>;
export type UpdateGroupBody = z.infer<typeof updateGroupBody>;
export type GroupParticipantsBody = z.infer<typeof groupParticipantsBody>;
export type GroupMessageBody = z.infer<typeof groupMessageBody>;
export type JoinGroupBody = z.infer<typeof joinGroupBody>;
export type GroupPictureBody = z.infer<typeof groupPictureBody>;

import { z } from 'zod';

const phone = z.string().regex(/^\d{5,20}$/, 'digits only, with country code');
const base64 = z.string().min(4).max(7_000_000).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64');

export const businessProfileSchema = z.object({
  description: z.string().max(512).optional(),
  category: z.string().min(1).max(100).optional(),
  address: z.string().max(256).optional(),
  email: z.string().email().max(128).optional(),
  website: z.string().url().max(256).optional(),
  timezone: z.string().min(1).max(64).optional(),
  hours: z
    .array(
      z.object({
        day: z.enum(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']),
        mode: z.enum(['open_24h', 'appointment_only', 'specific_hours']),
        /** Minutes after midnight. */
        openTime: z.number().int().min(0).max(1440).optional(),
        closeTime: z.number().int().min(0).max(1440).optional(),
      }),
    )
    .max(7)
    .optional(),
});

/** What a contact changes on its own profile; `null` removes the picture or the business profile. */
export const contactProfileBody = z
  .object({
    about: z.string().max(139).optional(),
    /** A JPEG (what WhatsApp stores; Baileys converts to 640×640 JPEG before upload). */
    picture: z.object({ dataBase64: base64 }).nullable().optional(),
    business: businessProfileSchema.nullable().optional(),
    /** Privacy "who can add me to groups": `invite` makes admins' adds answer 403 with an invite code. */
    groupAdd: z.enum(['everyone', 'invite']).optional(),
  })
  .refine((b) => [b.about, b.picture, b.business, b.groupAdd].some((v) => v !== undefined), { message: 'about, picture, business or groupAdd' });

export const blocklistBody = z.object({ contact: phone, action: z.enum(['block', 'unblock']) });

export type ContactProfileBody = z.infer<typeof contactProfileBody>;
export type BlocklistBody = z.infer<typeof blocklistBody>;

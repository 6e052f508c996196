import { z } from 'zod';
import { INSTANCE_ID_PATTERN } from '../../services/ids.js';
import { InvalidRecipientError, phoneDigits } from '../../services/messages/recipient.js';
import { httpUrl, success } from './common-schemas.js';

const instanceId = z.string().regex(INSTANCE_ID_PATTERN, 'must look like inst_xxxxxxxxxxxx');

const isPhone = (value: string): boolean => {
  try {
    phoneDigits(value);
    return true;
  } catch (err) {
    if (err instanceof InvalidRecipientError) return false;
    throw err;
  }
};

/** A phone number in any common writing (`+55 11 99999-9999`), with its country code: 8 to 15 digits. */
export const phoneNumber = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .refine(isPhone, { message: 'a phone number with its country code, e.g. +5511999999999 (8 to 15 digits)' })
  .meta({ example: '+5511999999999' });

/** `to` of presence: a phone number or a JID (`@s.whatsapp.net`, `@lid`, `@g.us` for chat states). */
const to = z.string().trim().min(1).max(120).meta({ example: '5511999999999' });

export const PairingCodeBodySchema = z.strictObject({ phone: phoneNumber }).meta({ id: 'PairingCodeBody' });

export const PairingCodeSchema = z
  .object({
    code: z.string().meta({ example: 'ABCD-EFGH', description: 'Typed on the phone: Linked devices → Link a device → Link with phone number instead' }),
    expiresAt: z.iso.datetime().meta({ description: 'When the code stops working (the end of its pairing cycle)' }),
  })
  .meta({ id: 'PairingCode' });
export const PairingCodeResponseSchema = success(PairingCodeSchema).meta({ id: 'PairingCodeResponse' });

export const PRESENCE_STATES = ['composing', 'recording', 'paused', 'available', 'unavailable'] as const;

export const PresenceBodySchema = z
  .strictObject({
    to,
    state: z.enum(PRESENCE_STATES).meta({
      description: 'composing (typing), recording (audio), paused: shown in the chat `to`. available/unavailable: the number is online/offline (needs a profile name)',
    }),
  })
  .meta({ id: 'PresenceBody' });
export const PresenceResponseSchema = success(z.object({ to: z.string(), state: z.enum(PRESENCE_STATES) })).meta({ id: 'PresenceResponse' });

export const PresenceSubscribeBodySchema = z.strictObject({ to }).meta({ id: 'PresenceSubscribeBody' });
export const PresenceSubscribeResponseSchema = success(z.object({ to: z.string(), subscribed: z.literal(true) })).meta({
  id: 'PresenceSubscribeResponse',
});

export const ContactPhoneParamsSchema = z.object({ instanceId, phone: z.string().trim().min(1).max(40) });

const name = z.string().trim().min(1).max(25).meta({ description: "The number's push name (what contacts see), 1 to 25 characters" });
const about = z.string().max(139).meta({ description: 'The about text, up to 139 characters' });

/** JSON form of PUT profile: `pictureUrl` fetched under the media URL guard; null removes the picture. */
export const UpdateProfileBodySchema = z
  .strictObject({ name: name.optional(), about: about.optional(), pictureUrl: httpUrl.nullable().optional() })
  .refine((b) => b.name !== undefined || b.about !== undefined || b.pictureUrl !== undefined, { message: 'give name, about or pictureUrl' })
  .meta({ id: 'UpdateProfileBody' });

/** Text fields of the multipart form of PUT profile (the picture is the part `picture`). */
export const UpdateProfileFormSchema = z.strictObject({ name: name.optional(), about: about.optional() });

export const UpdateProfileMultipartDocSchema = z
  .object({
    picture: z.string().meta({ format: 'binary', description: 'JPEG, PNG or WebP; WhatsApp keeps a 640×640 JPEG' }),
    name: name.optional(),
    about: about.optional(),
  })
  .meta({ id: 'UpdateProfileMultipart' });

const BusinessProfileSchema = z
  .object({
    description: z.string().nullable(),
    category: z.string().nullable(),
    address: z.string().nullable(),
    email: z.string().nullable(),
    websites: z.array(z.string()),
    timezone: z.string().nullable(),
    hours: z.array(z.object({ day: z.string(), mode: z.string(), openTime: z.number().nullable(), closeTime: z.number().nullable() })),
  })
  .meta({ id: 'BusinessProfile' });

export const ProfileSchema = z
  .object({
    phone: z.string().meta({ example: '+5511999999999' }),
    jid: z.string().meta({ example: '5511999999999@s.whatsapp.net' }),
    pictureUrl: z.string().nullable().meta({ description: 'null: no picture, or hidden from this number' }),
    about: z.object({ text: z.string(), setAt: z.iso.datetime().nullable() }).nullable(),
    business: BusinessProfileSchema.nullable().meta({ description: 'Only for business accounts' }),
  })
  .meta({ id: 'Profile' });
export const ProfileResponseSchema = success(ProfileSchema).meta({ id: 'ProfileResponse' });
export const OwnProfileResponseSchema = success(
  z.object({
    name: z.string().nullable().meta({ description: 'The name set by this request, if any' }),
    profile: ProfileSchema.nullable().meta({ description: "The number's profile as contacts see it now" }),
  }),
).meta({ id: 'OwnProfileResponse' });

const BlockedSchema = z.object({ phone: z.string().nullable(), jid: z.string() }).meta({ id: 'BlockedContact' });
export const BlockResponseSchema = success(z.object({ phone: z.string(), blocked: z.boolean(), blocklist: z.array(BlockedSchema) })).meta({
  id: 'BlockResponse',
});
export const BlocklistResponseSchema = success(z.array(BlockedSchema)).meta({ id: 'BlocklistResponse' });

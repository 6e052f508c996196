import { z } from 'zod';
import { httpUrl } from './common-schemas.js';
import { formBool, formList, mentions, mentionsEveryone, messageRef, to } from './message-schemas.js';

/** What every kind takes besides its own fields: the recipient, a quote and mentions. */
const common = {
  to,
  quotedMessageId: messageRef.optional().meta({ description: 'Our message id (msg_...) or the WhatsApp id of a stored message' }),
  mentions: mentions.optional(),
  mentionsEveryone: mentionsEveryone.optional(),
};

export const SendLocationBodySchema = z
  .strictObject({
    ...common,
    latitude: z.number().min(-90).max(90).meta({ example: -23.5505 }),
    longitude: z.number().min(-180).max(180).meta({ example: -46.6333 }),
    name: z.string().trim().min(1).max(256).optional(),
    address: z.string().trim().min(1).max(512).optional(),
  })
  .meta({ id: 'SendLocationBody' });

const contactCard = z.strictObject({
  name: z.string().trim().min(1).max(256),
  phones: z.array(z.string().trim().min(1).max(40)).min(1).max(10).meta({ description: 'Phone numbers with the country code, any writing' }),
  org: z.string().trim().min(1).max(256).optional(),
  email: z.email().max(256).optional(),
});

export const SendContactBodySchema = z
  .strictObject({ ...common, contacts: z.array(contactCard).min(1).max(50) })
  .meta({ id: 'SendContactBody', description: 'One card is sent as a contactMessage, several as a contactsArrayMessage (vCard 3.0)' });

export const SendPollBodySchema = z
  .strictObject({
    ...common,
    question: z.string().trim().min(1).max(255),
    options: z
      .array(z.string().trim().min(1).max(100))
      .min(2)
      .max(12)
      .refine((o) => new Set(o).size === o.length, { message: 'options must be unique' }),
    multipleAnswers: z.boolean().default(false).meta({ description: 'true: any number of options may be chosen' }),
  })
  .meta({ id: 'SendPollBody' });

export const SendStickerJsonBodySchema = z
  .strictObject({ ...common, stickerUrl: httpUrl.meta({ description: 'A webp, PNG or JPEG (PNG and JPEG are converted to webp)' }) })
  .meta({ id: 'SendStickerBody' });

export const SendStickerFormSchema = z.strictObject({
  ...common,
  mentions: formList.optional(),
  mentionsEveryone: formBool.optional(),
});

export const SendStickerMultipartDocSchema = SendStickerFormSchema.extend({
  file: z.string().meta({ format: 'binary', description: 'A webp, PNG or JPEG image' }),
}).meta({ id: 'SendStickerMultipart' });

export const ReactBodySchema = z
  .strictObject({ emoji: z.string().max(32).meta({ description: 'One emoji; "" removes your reaction', example: '👍' }) })
  .meta({ id: 'ReactBody' });

export const EditBodySchema = z.strictObject({ message: z.string().min(1).max(65_536) }).meta({ id: 'EditBody' });

export const ForwardBodySchema = z.strictObject({ to }).meta({ id: 'ForwardBody' });

export const DeleteQuerySchema = z.object({
  forMe: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .meta({ description: 'true: delete only on this device (our store); otherwise deleted for everyone (revoke)' }),
});

export const DeletedForMeResponseSchema = z
  .object({ success: z.literal(true), data: z.object({ messageId: z.string(), deleted: z.literal(true), forMe: z.literal(true) }) })
  .meta({ id: 'DeletedForMe' });

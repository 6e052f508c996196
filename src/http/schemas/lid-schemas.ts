import { z } from 'zod';
import { INSTANCE_ID_PATTERN } from '../../services/ids.js';

export const LidParamsSchema = z.object({
  instanceId: z.string().regex(INSTANCE_ID_PATTERN, 'must look like inst_xxxxxxxxxxxx'),
  lid: z
    .string()
    .trim()
    .regex(/^\d{1,20}(@lid)?$/, 'a LID: <digits>@lid or its digits'),
});

export const LidQuerySchema = z.object({
  phone: z.string().trim().min(1, 'the phone number to look up').max(40),
});

const success = <T extends z.ZodType>(data: T) => z.object({ success: z.literal(true), data });

export const LidMappingSchema = z
  .object({
    lid: z.string().describe('`<digits>@lid`'),
    jid: z.string().describe('The phone JID, `<digits>@s.whatsapp.net`'),
    phone: z.string().describe('E.164 with a leading `+`'),
    addressing: z.enum(['pn', 'lid']).nullable().describe("How the contact's last one-to-one message was addressed; a send to the phone goes to the LID when `lid`"),
    source: z.string().describe('Where the pair was learnt: lid-mapping.update, message, group-message, history, contact, signal-store (sender_pn/sender_lid attributes, usync)'),
    contact: z.object({ name: z.string().nullable(), pushName: z.string().nullable() }).nullable(),
    learntAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'LidMapping' });
export const LidMappingResponseSchema = success(LidMappingSchema).meta({ id: 'LidMappingResponse' });

/** The kind fields of a message as GET messages/{id} and GET chats/{jid}/messages show them (and webhooks carry). */
export const MessageKindFieldsSchema = z.object({
    senderPhone: z.string().nullable().describe('The sender by phone (`+<digits>`) whenever WhatsApp told us; null for our own messages'),
    senderLid: z.string().nullable().describe('The sender by LID (`<digits>@lid`) whenever WhatsApp told us; null for our own messages'),
    location: z
      .object({ latitude: z.number(), longitude: z.number(), name: z.string().nullable(), address: z.string().nullable(), url: z.string().nullable(), live: z.boolean() })
      .nullable(),
    contacts: z
      .array(z.object({ name: z.string(), phones: z.array(z.string()).describe('digits with country code'), org: z.string().nullable(), email: z.string().nullable() }))
      .nullable(),
    poll: z
      .object({
        question: z.string(),
        options: z.array(z.object({ name: z.string(), voters: z.array(z.string()).describe('JIDs of who chose it now') })),
        multipleAnswers: z.boolean(),
      })
      .nullable(),
    sticker: z.object({ animated: z.boolean() }).nullable(),
    reactions: z.record(z.string(), z.object({ emoji: z.string(), at: z.number() })).describe('By the reacting JID (`me` for ours)'),
    edited: z.boolean(),
    deleted: z.boolean().describe('Deleted for everyone (revoked); `revokedAt` says when'),
  });

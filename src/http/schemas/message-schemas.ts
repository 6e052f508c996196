import { z } from 'zod';
import { MEDIA_KINDS } from '../../services/messages/media-rules.js';
import { INSTANCE_ID_PATTERN } from '../../services/ids.js';
import { httpUrl } from './common-schemas.js';

export const to = z.string().trim().min(1).max(100).meta({ description: 'Phone number in any common writing, or a JID (user, LID, group)', example: '5511999999999' });
export const messageRef = z.string().trim().min(1).max(128);
export const mentions = z.array(z.string().trim().min(1).max(100)).max(256);
export const mentionsEveryone = z.boolean().meta({ description: 'In a group: mention every participant' });

export const SendTextBodySchema = z
  .strictObject({
    to,
    message: z.string().min(1).max(65_536),
    quotedMessageId: messageRef.optional().meta({ description: 'Our message id (msg_...) or the WhatsApp id of a stored message' }),
    mentions: mentions.optional(),
    mentionsEveryone: mentionsEveryone.optional(),
    linkPreview: z.boolean().optional().meta({ description: 'false: send a link without its preview (default: a preview is fetched)' }),
  })
  .meta({ id: 'SendTextBody' });

const mediaFields = {
  to,
  mediaType: z.enum(MEDIA_KINDS),
  caption: z.string().max(4096).optional(),
  fileName: z.string().trim().min(1).max(255).optional(),
  mimetype: z.string().trim().min(3).max(255).optional(),
  ptt: z.boolean().optional().meta({ description: 'audio only: send as a voice note' }),
  quotedMessageId: messageRef.optional(),
  mentions: mentions.optional(),
  mentionsEveryone: mentionsEveryone.optional(),
};

export const SendMediaJsonBodySchema = z
  .strictObject({ ...mediaFields, mediaUrl: httpUrl })
  .meta({ id: 'SendMediaBody' });

/** Multipart fields are strings: booleans and lists are parsed from them. */
export const formBool = z.preprocess((v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v), z.boolean());
export const formList = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const text = v.trim();
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return v;
    }
  }
  return text === '' ? [] : text.split(',').map((s) => s.trim());
}, mentions);

export const SendMediaFormSchema = z.strictObject({
  ...mediaFields,
  ptt: formBool.optional(),
  mentions: formList.optional(),
  mentionsEveryone: formBool.optional(),
});

/** For the OpenAPI document: the multipart body of send-media as a whole (the fields above, plus the file part). */
export const SendMediaMultipartDocSchema = SendMediaFormSchema.extend({
  file: z.string().meta({ format: 'binary', description: 'The file to send' }),
}).meta({ id: 'SendMediaMultipart' });

export const AcceptedResponseSchema = z
  .object({ success: z.literal(true), data: z.object({ messageId: z.string(), status: z.literal('queued') }) })
  .meta({ id: 'MessageAccepted' });

export const MessageParamsSchema = z.object({
  instanceId: z.string().regex(INSTANCE_ID_PATTERN, 'must look like inst_xxxxxxxxxxxx'),
  messageId: messageRef,
});

export const ChatParamsSchema = z.object({
  instanceId: z.string().regex(INSTANCE_ID_PATTERN, 'must look like inst_xxxxxxxxxxxx'),
  jid: z.string().trim().min(1).max(120),
});

export const NumberParamsSchema = z.object({
  instanceId: z.string().regex(INSTANCE_ID_PATTERN, 'must look like inst_xxxxxxxxxxxx'),
  phone: z.string().trim().min(1).max(40),
});

const int = z.coerce.number().int();
export const PageQuerySchema = z.object({
  page: int.min(1).optional(),
  pageSize: int.min(1).max(100).optional(),
});

export const ContactsQuerySchema = PageQuerySchema.extend({ search: z.string().trim().min(1).max(100).optional() });

const queryBool = z.enum(['true', 'false']).transform((v) => v === 'true');
export const ChatsQuerySchema = PageQuerySchema.extend({ archived: queryBool.optional(), isGroup: queryBool.optional() });

export const IdempotencyKeySchema = z.string().trim().min(1).max(255);

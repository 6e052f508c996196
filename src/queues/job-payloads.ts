import { z } from 'zod';

const id = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'letters, digits and _ . - only');
/** A normalised JID we can send to (see services/messages/recipient.ts). */
const jid = z.string().regex(/^[0-9]+(-[0-9]+)?@(s\.whatsapp\.net|lid|g\.us)$/, 'a user, LID or group JID');

export const MEDIA_TYPES = ['image', 'video', 'audio', 'document'] as const;
export const mediaTypeSchema = z.enum(MEDIA_TYPES);

/** Where media bytes are: a URL fetched at send time, or a key in the media store (uploads). */
const mediaSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('url'), url: z.url({ protocol: /^https?$/ }) }),
  z.object({ kind: z.literal('stored'), key: z.string().min(1).max(500) }),
]);

export const textContentSchema = z.object({
  type: z.literal('text'),
  text: z.string().min(1).max(65_536),
  /** Fetch a preview of the first link in the text (default true). */
  linkPreview: z.boolean().optional(),
});

export const mediaContentSchema = z.object({
  type: z.literal('media'),
  mediaType: mediaTypeSchema,
  /** Where the bytes are: a URL fetched at send time, or a key in the media store (uploads). */
  source: mediaSourceSchema,
  caption: z.string().max(4096).optional(),
  fileName: z.string().min(1).max(255).optional(),
  mimetype: z.string().min(3).max(255).optional(),
  /** Send audio as a voice note. */
  ptt: z.boolean().optional(),
});

/** A sticker: webp sent as it is; PNG and JPEG converted to webp at send time. */
export const stickerContentSchema = z.object({ type: z.literal('sticker'), source: mediaSourceSchema });

export const locationContentSchema = z.object({
  type: z.literal('location'),
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  name: z.string().min(1).max(256).optional(),
  address: z.string().min(1).max(512).optional(),
});

export const contactCardSchema = z.object({
  name: z.string().min(1).max(256),
  phones: z.array(z.string().regex(/^\d{5,20}$/)).min(1).max(10),
  org: z.string().min(1).max(256).optional(),
  email: z.string().min(3).max(256).optional(),
});
export const contactsContentSchema = z.object({ type: z.literal('contacts'), contacts: z.array(contactCardSchema).min(1).max(50) });

export const pollContentSchema = z.object({
  type: z.literal('poll'),
  question: z.string().min(1).max(255),
  options: z.array(z.string().min(1).max(100)).min(2).max(12),
  /** 1 = one answer; 0 = any number (WhatsApp's selectableOptionsCount). */
  selectableCount: z.union([z.literal(0), z.literal(1)]),
  /** The poll's 32-byte messageSecret (base64), fixed at accept time so its votes can be decrypted. */
  messageSecret: z.base64().length(44),
});

/** The message an action refers to, as WhatsApp addresses it. */
export const targetKeySchema = z.object({
  id: z.string().min(1).max(128),
  remoteJid: z.string().min(3).max(120),
  fromMe: z.boolean(),
  participant: z.string().min(3).max(120).optional(),
});
export const reactionContentSchema = z.object({ type: z.literal('reaction'), target: targetKeySchema, emoji: z.string().max(32) });
export const editContentSchema = z.object({ type: z.literal('edit'), target: targetKeySchema, text: z.string().min(1).max(65_536) });
export const revokeContentSchema = z.object({ type: z.literal('revoke'), target: targetKeySchema });

/** A message WhatsApp gave us (protobuf JSON), forwarded as it is (media keep their WhatsApp upload). */
export const storedMessageSchema = z.object({ type: z.literal('stored'), message: z.record(z.string(), z.unknown()) });

/** What a forward carries: a received message as stored, or the content of one of ours, sent again marked forwarded. */
export const forwardContentSchema = z.object({
  type: z.literal('forward'),
  message: z.discriminatedUnion('type', [
    storedMessageSchema,
    textContentSchema,
    mediaContentSchema,
    stickerContentSchema,
    locationContentSchema,
    contactsContentSchema,
  ]),
});

export const sendContentSchema = z.discriminatedUnion('type', [
  textContentSchema,
  mediaContentSchema,
  stickerContentSchema,
  locationContentSchema,
  contactsContentSchema,
  pollContentSchema,
  reactionContentSchema,
  editContentSchema,
  revokeContentSchema,
  forwardContentSchema,
]);
export type SendContent = z.infer<typeof sendContentSchema>;

/** What to send, as the producer gives it. */
export const sendJobPayloadSchema = z.object({
  instanceId: id,
  /** Our message id; also the BullMQ job id, so enqueueing the same message twice is a no-op. */
  messageId: id,
  /** The WhatsApp message id, fixed before the first attempt and reused by every retry (no duplicates after a crash). */
  waMessageId: z.string().regex(/^[A-Za-z0-9]{8,64}$/, 'letters and digits, 8 to 64'),
  to: jid,
  content: sendContentSchema,
  quotedMessageId: z.string().min(1).max(128).optional(),
  mentions: z.array(jid).max(1024).optional(),
  /** Group sends: mention every participant (looked up at send time). */
  mentionsEveryone: z.boolean().optional(),
});

/** What is stored in the job: the payload plus the worker's bookkeeping. */
export const sendJobDataSchema = sendJobPayloadSchema.extend({
  /** Transient failures so far (managed by the send worker). */
  failures: z.number().int().min(0).default(0),
});

export type SendJobPayload = z.infer<typeof sendJobPayloadSchema>;
export type SendJobData = z.infer<typeof sendJobDataSchema>;

/** Every job name and the schema of its data: producers and workers agree through this map. */
export const jobSchemas = {
  'send-message': sendJobDataSchema,
} as const;

export type JobName = keyof typeof jobSchemas;
export type JobData<N extends JobName> = z.infer<(typeof jobSchemas)[N]>;

/** A job's data did not match its schema: a bug or a tampered queue, never worth a retry. */
export class InvalidJobPayloadError extends Error {
  readonly code = 'invalid_payload';
  constructor(readonly jobName: string, readonly issues: string) {
    super(`invalid ${jobName} job payload: ${issues}`);
    this.name = new.target.name;
  }
}

/** Validates job data against the map; throws InvalidJobPayloadError. */
export function parseJobData<N extends JobName>(name: N, data: unknown): JobData<N> {
  const result = jobSchemas[name].safeParse(data);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new InvalidJobPayloadError(name, issues);
  }
  return result.data as JobData<N>;
}

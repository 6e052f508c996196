import { z } from 'zod';

const id = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'letters, digits and _ . - only');
/** A normalised JID we can send to (see services/messages/recipient.ts). */
const jid = z.string().regex(/^[0-9]+(-[0-9]+)?@(s\.whatsapp\.net|lid|g\.us)$/, 'a user, LID or group JID');

export const MEDIA_TYPES = ['image', 'video', 'audio', 'document'] as const;
export const mediaTypeSchema = z.enum(MEDIA_TYPES);

export const textContentSchema = z.object({
  type: z.literal('text'),
  text: z.string().min(1).max(65_536),
});

export const mediaContentSchema = z.object({
  type: z.literal('media'),
  mediaType: mediaTypeSchema,
  /** Where the bytes are: a URL fetched at send time, or a key in the media store (uploads). */
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('url'), url: z.url({ protocol: /^https?$/ }) }),
    z.object({ kind: z.literal('stored'), key: z.string().min(1).max(500) }),
  ]),
  caption: z.string().max(4096).optional(),
  fileName: z.string().min(1).max(255).optional(),
  mimetype: z.string().min(3).max(255).optional(),
  /** Send audio as a voice note. */
  ptt: z.boolean().optional(),
});

/** What to send, as the producer gives it. */
export const sendJobPayloadSchema = z.object({
  instanceId: id,
  /** Our message id; also the BullMQ job id, so enqueueing the same message twice is a no-op. */
  messageId: id,
  /** The WhatsApp message id, fixed before the first attempt and reused by every retry (no duplicates after a crash). */
  waMessageId: z.string().regex(/^[A-Za-z0-9]{8,64}$/, 'letters and digits, 8 to 64'),
  to: jid,
  content: z.discriminatedUnion('type', [textContentSchema, mediaContentSchema]),
  quotedMessageId: z.string().min(1).max(128).optional(),
  mentions: z.array(jid).max(1024).optional(),
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

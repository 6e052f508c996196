import { z } from 'zod';

/** Every event a tenant can receive by webhook or SSE. */
export const WEBHOOK_EVENTS = [
  'connection.update',
  'messages.upsert',
  'messages.update',
  'messages.delete',
  'groups.update',
  'groups.upsert',
  'group-participants.update',
  'contacts.update',
  'presence.update',
] as const;

export const webhookEventSchema = z.enum(WEBHOOK_EVENTS);
export type WebhookEvent = z.infer<typeof webhookEventSchema>;

/** An instance's `webhookEvents` subscription: known names only, no duplicates; null/absent means every event. */
export const webhookEventsSubscriptionSchema = z
  .array(webhookEventSchema)
  .min(1)
  .refine((events) => new Set(events).size === events.length, { message: 'event names must not repeat' });

/** A WhatsApp message key, as in the seed: `{ remoteJid, fromMe, id }` (+ `participant` in groups). */
export const messageKeySchema = z.looseObject({
  remoteJid: z.string().min(1),
  fromMe: z.boolean(),
  id: z.string().min(1),
  participant: z.string().min(1).optional(),
});

const unixTimestamp = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]);

/** `data` per event. Loose objects: the engine may add fields without breaking receivers or this schema. */
export const webhookEventDataSchemas = {
  'connection.update': z.looseObject({
    /** The public instance status (as GET /whatsapp/instances/{id} shows it). */
    status: z.enum(['created', 'qr', 'connected', 'disconnected', 'banned']),
    /** Why it changed (`logged_out`, `network`, `qr_expired`...). */
    reason: z.string().min(1).nullable().optional(),
    /** E.164 with a leading `+`, once paired. */
    phone: z.string().nullable().optional(),
    /** While pairing: the QR as in the instance detail (`{ base64, expiry, attemptId }`). */
    qrCode: z
      .looseObject({ base64: z.string().min(1), expiry: z.number().int().positive(), attemptId: z.string().min(1) })
      .nullable()
      .optional(),
    /** While pairing by phone code: the code to type on the phone and when it stops working (ISO 8601). */
    pairingCode: z.looseObject({ code: z.string().min(1), expiresAt: z.string().min(1) }).nullable().optional(),
  }),
  'messages.upsert': z.looseObject({
    key: messageKeySchema,
    message: z.record(z.string(), z.unknown()).nullable(),
    /** WhatsApp's content type, one name per kind: conversation, extendedTextMessage, imageMessage…, locationMessage,
     * contactMessage, contactsArrayMessage, stickerMessage, pollCreationMessage, reactionMessage. */
    messageType: z.string().min(1),
    pushName: z.string().nullable().optional(),
    messageTimestamp: unixTimestamp,
    /** The chat as Zap Engine files it: the phone JID when the LID's phone is known. */
    chatJid: z.string().optional(),
    /** The sender by phone (`+<digits>`) and by LID, whenever WhatsApp told us either. */
    senderPhone: z.string().nullable().optional(),
    senderLid: z.string().nullable().optional(),
    location: z.looseObject({ latitude: z.number(), longitude: z.number() }).optional(),
    contacts: z.array(z.looseObject({ name: z.string(), phones: z.array(z.string()) })).optional(),
    poll: z
      .looseObject({ question: z.string(), options: z.array(z.looseObject({ name: z.string(), voters: z.array(z.string()) })), multipleAnswers: z.boolean() })
      .optional(),
    sticker: z.looseObject({ animated: z.boolean() }).optional(),
    /** A reactionMessage: the message reacted to (our id and WhatsApp's) and the emoji (`removed` when empty). */
    reaction: z.looseObject({ targetMessageId: z.string(), targetId: z.string(), emoji: z.string(), removed: z.boolean() }).optional(),
  }),
  'messages.update': z.looseObject({
    key: messageKeySchema,
    status: z.enum(['error', 'pending', 'sent', 'delivered', 'read', 'played']),
  }),
  'messages.delete': z.looseObject({ key: messageKeySchema }),
  'groups.update': z.looseObject({ id: z.string().min(1) }),
  'groups.upsert': z.looseObject({ id: z.string().min(1) }),
  /** Members added, removed, promoted or demoted; `author` is who did it (the instance's own number for API changes). */
  'group-participants.update': z.looseObject({
    id: z.string().min(1),
    author: z.string().min(1).nullable(),
    action: z.enum(['add', 'remove', 'promote', 'demote', 'modify']),
    participants: z.array(z.looseObject({ id: z.string().min(1), phone: z.string().nullable().optional() })),
  }),
  'contacts.update': z.looseObject({ id: z.string().min(1) }),
  'presence.update': z.looseObject({
    id: z.string().min(1),
    presences: z.record(z.string(), z.looseObject({ lastKnownPresence: z.string().min(1) })),
  }),
} as const satisfies Record<WebhookEvent, z.ZodType>;

export type WebhookEventData<E extends WebhookEvent> = z.infer<(typeof webhookEventDataSchemas)[E]>;

export const webhookInstanceSchema = z.object({
  instanceName: z.string().min(1),
  instanceId: z.string().min(1),
});

const envelopeBase = {
  /** The event's id: the same on every retry and redelivery (receivers drop duplicates by it). */
  id: z.string().min(1),
  /** When the event happened, ISO 8601 UTC. */
  timestamp: z.iso.datetime(),
  /** Per-instance, increasing: orders events that arrive concurrently. */
  sequence: z.number().int().nonnegative(),
  instance: webhookInstanceSchema,
};

function envelopeOf<E extends WebhookEvent>(event: E) {
  return z.object({ ...envelopeBase, event: z.literal(event), data: webhookEventDataSchemas[event] });
}

/**
 * The body of every webhook request and SSE message: `{ id, event, timestamp, sequence, instance, data }`. The
 * contract receivers can rely on: published in the OpenAPI document's `webhooks` and checked by the e2e tests.
 */
export const webhookEnvelopeSchema = z.discriminatedUnion('event', [
  envelopeOf('connection.update'),
  envelopeOf('messages.upsert'),
  envelopeOf('messages.update'),
  envelopeOf('messages.delete'),
  envelopeOf('groups.update'),
  envelopeOf('groups.upsert'),
  envelopeOf('group-participants.update'),
  envelopeOf('contacts.update'),
  envelopeOf('presence.update'),
]);

export type WebhookEnvelope = z.infer<typeof webhookEnvelopeSchema>;
export type WebhookEnvelopeOf<E extends WebhookEvent> = Extract<WebhookEnvelope, { event: E }>;

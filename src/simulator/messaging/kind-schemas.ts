import { z } from 'zod';
import { contactMediaSchema } from '../media/index.js';

/*
 * What a contact can send, in a 1:1 chat (`POST /control/contacts/{phone}/messages`) or in a group
 * (`POST /control/groups/{jid}/messages`): exactly one kind, plus optional reply, mentions and forwarded flag.
 */

const phone = z.string().regex(/^\d{5,20}$/, 'digits only, with country code');
const messageId = z.string().min(1).max(128);

export const locationKind = z.object({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  name: z.string().min(1).max(256).optional(),
  address: z.string().min(1).max(512).optional(),
});

export const vcardContactKind = z.object({
  name: z.string().min(1).max(256),
  phones: z.array(z.string().regex(/^\+?\d{5,20}$/, 'a phone number with country code')).min(1).max(10),
  org: z.string().min(1).max(256).optional(),
  email: z.string().min(3).max(256).optional(),
});

export const pollKind = z.object({
  question: z.string().min(1).max(255),
  options: z
    .array(z.string().min(1).max(100))
    .min(2)
    .max(12)
    .refine((o) => new Set(o).size === o.length, { message: 'options must be distinct' }),
  /** Several options may be chosen (pollCreationMessage, selectableOptionsCount 0); else one (pollCreationMessageV3). */
  multipleAnswers: z.boolean().optional(),
});

const jidForm = z.enum(['pn', 'lid']);

export const voteKind = z.object({
  /** The poll's message id (a poll a contact or a linked device created). */
  pollId: messageId,
  /** Option names; an empty list withdraws the vote. */
  options: z.array(z.string().min(1)).max(12),
  /**
   * Which form of the creator's and the voter's jid the vote key is derived from. Default: the form of the
   * sender's addressing (pn → both phone jids, lid → both LIDs). Receivers must try both forms of each.
   */
  jids: z.object({ creator: jidForm, voter: jidForm }).optional(),
});

export const reactionKind = z.object({
  id: messageId,
  /** An empty string removes the contact's reaction. */
  emoji: z.string().max(32),
  /** Whether the target was sent by the reacting contact; by default looked up (else false: the device's message). */
  fromMe: z.boolean().optional(),
  /** In a group, the phone of the target's sender; by default looked up. */
  participant: phone.optional(),
});

export const editKind = z.object({ id: messageId, text: z.string().min(1).max(65_536) });
export const revokeKind = z.object({ id: messageId });

export const messageKindFields = {
  text: z.string().min(1).max(65_536).optional(),
  media: contactMediaSchema.optional(),
  location: locationKind.optional(),
  /** One card → contactMessage; several → contactsArrayMessage. */
  contacts: z.array(vcardContactKind).min(1).max(50).optional(),
  poll: pollKind.optional(),
  vote: voteKind.optional(),
  reaction: reactionKind.optional(),
  edit: editKind.optional(),
  revoke: revokeKind.optional(),
  /** Reply to this message id (contextInfo stanzaId, participant, quotedMessage). */
  quotedId: messageId.optional(),
  /** Sender of the quoted message (phone); by default looked up, else the linked number (1:1) or the contact. */
  quotedParticipant: phone.optional(),
  /** Phones mentioned (contextInfo.mentionedJid); put `@<phone>` in the text yourself. */
  mentions: z.array(phone).max(256).optional(),
  /** Marks the message forwarded (contextInfo isForwarded, forwardingScore). */
  forwarded: z.boolean().optional(),
};

export const KIND_KEYS = ['text', 'media', 'location', 'contacts', 'poll', 'vote', 'reaction', 'edit', 'revoke'] as const;
export const exactlyOneKind = {
  check: (b: Partial<Record<(typeof KIND_KEYS)[number], unknown>>): boolean => KIND_KEYS.filter((k) => b[k] !== undefined).length === 1,
  message: `exactly one of ${KIND_KEYS.join(', ')}`,
};

export const messageKindBody = z.object(messageKindFields).refine(exactlyOneKind.check, { message: exactlyOneKind.message });

export type MessageKindBody = z.infer<typeof messageKindBody>;
export type LocationKind = z.infer<typeof locationKind>;
export type VCardContactKind = z.infer<typeof vcardContactKind>;
export type PollKind = z.infer<typeof pollKind>;
export type VoteKind = z.infer<typeof voteKind>;

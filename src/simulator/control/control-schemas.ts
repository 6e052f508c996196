import { z } from 'zod';
import { contactMediaSchema, historyInputSchema } from '../media/index.js';
import { exactlyOneKind, messageKindFields } from '../messaging/kind-schemas.js';

const phone = z.string().regex(/^\d{5,20}$/, 'digits only, with country code');

export const scanBody = z.object({ qr: z.string().min(10), phone, name: z.string().min(1).max(100).optional() });
/** The code as Baileys' requestPairingCode returns it (8 Crockford characters), dashes and spaces allowed. */
export const linkCodeBody = z.object({
  code: z.string().regex(/^[0-9A-Za-z]{4}[-\s]?[0-9A-Za-z]{4}$/, '8 letters or digits, optionally as ABCD-EFGH'),
  name: z.string().min(1).max(100).optional(),
});
export const createContactBody = z.object({ phone, name: z.string().min(1).max(100) });
export const updateContactBody = z.object({ name: z.string().min(1).max(100) });
export const addressing = z.enum(['pn', 'lid']).optional();

export const mediaBody = contactMediaSchema;

/** A contact's 1:1 message: one kind (see messaging/kind-schemas.ts) to linked number `to`. */
export const sendMessageBody = z
  .object({ to: phone, ...messageKindFields, addressing })
  .refine(exactlyOneKind.check, { message: exactlyOneKind.message });

/** Switches how the contact's 1:1 stanzas name it from now on. */
export const addressingBody = z.object({ mode: z.enum(['pn', 'lid']) });
/** Announces the contact's LID↔phone mapping to the devices of linked number `to`. */
export const lidAnnouncementBody = z.object({ to: phone });

export const receiptsBody = z.object({ to: phone, ids: z.array(z.string().min(1)).min(1), type: z.enum(['delivered', 'read']), addressing });
export const presenceBody = z.object({ to: phone, state: z.enum(['composing', 'recording', 'paused', 'available', 'unavailable']) });
export const revokeBody = z.object({ to: phone, id: z.string().min(1), addressing });
export const kickBody = z.object({ reason: z.enum(['logged_out', 'banned', 'replaced', 'restart', 'unavailable', 'network']) });
export const faultsBody = z.object({
  nextAckError: z.number().int().min(400).max(599).nullable().optional(),
  ackDelayMs: z.number().int().min(0).max(60_000).optional(),
  iqDelayMs: z.number().int().min(0).max(60_000).optional(),
});
export const historyBody = historyInputSchema;
/** `?after=n`: only the inbox entries after the first n (n = how many the caller already has). */
export const inboxQuery = z.object({ after: z.string().regex(/^\d{1,9}$/, 'a whole number ≥ 0').transform(Number).optional() });

export type ScanBody = z.infer<typeof scanBody>;
export type SendMessageBody = z.infer<typeof sendMessageBody>;
export type MediaBody = z.infer<typeof mediaBody>;
export type FaultsBody = z.infer<typeof faultsBody>;
export type HistoryBody = z.infer<typeof historyBody>;

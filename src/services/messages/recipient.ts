/** Why a `to` value was refused. */
export type InvalidRecipientReason =
  | 'empty'
  | 'invalid_characters'
  | 'missing_country_code'
  | 'too_short'
  | 'too_long'
  | 'invalid_jid'
  | 'unsupported_jid_server';

/** A `to` value that is neither a phone number nor a JID we can send to. Maps to a 400 at the HTTP boundary. */
export class InvalidRecipientError extends Error {
  readonly code = 'invalid_recipient';
  constructor(readonly reason: InvalidRecipientReason, message: string, readonly input: string) {
    super(message);
    this.name = new.target.name;
  }
}

export type RecipientKind = 'user' | 'lid' | 'group';

export interface Recipient {
  /** The JID to send to: `<digits>@s.whatsapp.net`, `<id>@lid` or `<id>@g.us`. */
  jid: string;
  kind: RecipientKind;
  /** The phone number's digits for user JIDs, null for LIDs and groups. */
  phone: string | null;
}

export const E164_MIN_DIGITS = 8;
export const E164_MAX_DIGITS = 15;
const USER_SERVER = 's.whatsapp.net';

/**
 * Turns a phone number in any common writing (`+55 (11) 99999-9999`, `55 11 9999-9999`, `0055...`) into its
 * digits, with the country code. Spaces, dots, dashes, slashes and parentheses are ignored; `+` only leads.
 */
export function phoneDigits(input: string): string {
  return digitsOf(input, input);
}

function digitsOf(value: string, input: string): string {
  const text = value.trim();
  if (text === '') throw new InvalidRecipientError('empty', 'the recipient is empty', input);
  if (!/^\+?[\d\s().\-/]+$/.test(text)) {
    throw new InvalidRecipientError('invalid_characters', 'a phone number may contain only digits, spaces, + ( ) - . /', input);
  }
  let digits = text.replace(/\D/g, '');
  // 00 is the international call prefix in much of the world; no country code starts with 0.
  if (!text.startsWith('+') && digits.startsWith('00')) digits = digits.slice(2);
  if (digits.startsWith('0')) {
    throw new InvalidRecipientError('missing_country_code', 'the phone number must start with its country code (e.g. 55 for Brazil)', input);
  }
  if (digits.length < E164_MIN_DIGITS) {
    throw new InvalidRecipientError('too_short', `a phone number has at least ${E164_MIN_DIGITS} digits with the country code`, input);
  }
  if (digits.length > E164_MAX_DIGITS) {
    throw new InvalidRecipientError('too_long', `a phone number has at most ${E164_MAX_DIGITS} digits (E.164)`, input);
  }
  return digits;
}

function fromJid(input: string, text: string): Recipient {
  const at = text.lastIndexOf('@');
  const user = text.slice(0, at);
  const server = text.slice(at + 1).toLowerCase();
  switch (server) {
    case 's.whatsapp.net':
    case 'c.us': {
      if (!/^\d+$/.test(user)) throw new InvalidRecipientError('invalid_jid', 'a user JID is <phone digits>@s.whatsapp.net', input);
      const digits = digitsOf(user, input);
      return { jid: `${digits}@${USER_SERVER}`, kind: 'user', phone: digits };
    }
    case 'lid':
      if (!/^\d{1,20}$/.test(user)) throw new InvalidRecipientError('invalid_jid', 'a LID is <digits>@lid', input);
      return { jid: `${user}@lid`, kind: 'lid', phone: null };
    case 'g.us':
      if (!/^(\d{5,20}|\d{5,15}-\d{5,12})$/.test(user)) {
        throw new InvalidRecipientError('invalid_jid', 'a group JID is <digits>@g.us (or <creator>-<time>@g.us)', input);
      }
      return { jid: `${user}@g.us`, kind: 'group', phone: null };
    default:
      throw new InvalidRecipientError('unsupported_jid_server', `cannot send to @${server} addresses (use @s.whatsapp.net, @lid or @g.us)`, input);
  }
}

/** Normalises a `to` value: a phone number becomes `<digits>@s.whatsapp.net`; a JID is checked (and `@c.us` mapped). */
export function normalizeRecipient(input: string): Recipient {
  const text = input.trim();
  if (text === '') throw new InvalidRecipientError('empty', 'the recipient is empty', input);
  if (text.includes('@')) return fromJid(input, text);
  const digits = digitsOf(text, input);
  return { jid: `${digits}@${USER_SERVER}`, kind: 'user', phone: digits };
}

/** Shorthand: the JID to send to. */
export function toRecipientJid(input: string): string {
  return normalizeRecipient(input).jid;
}

/** E.164 for display: `+5511999999999`, from a phone in any writing or a user JID. */
export function formatE164(input: string): string {
  const recipient = normalizeRecipient(input);
  if (recipient.phone === null) {
    throw new InvalidRecipientError('invalid_jid', 'only phone numbers and user JIDs have an E.164 form', input);
  }
  return `+${recipient.phone}`;
}

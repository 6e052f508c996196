import { ValidationError } from '../../errors/validation-error.js';
import { InvalidRecipientError, normalizeRecipient } from './recipient.js';

/** The JID of a recipient given in a request body (`field` names it in the 400). */
export function recipientJidOf(to: string, field = 'to'): string {
  try {
    return normalizeRecipient(to).jid;
  } catch (err) {
    if (err instanceof InvalidRecipientError) {
      throw new ValidationError(err.message, [{ location: 'body', path: field, message: err.message, code: err.reason }], 'INVALID_RECIPIENT');
    }
    throw err;
  }
}

/** The JID of a chat given in a path: a number, a JID we send to, or a JID we may only have stored. */
export function chatJidOf(chat: string): string {
  if (chat.includes('@')) {
    try {
      return normalizeRecipient(chat).jid;
    } catch {
      if (/^[0-9A-Za-z.:_-]+@[a-z.]+$/.test(chat)) return chat; // a JID we do not send to but may have stored
    }
  }
  return recipientJidOf(chat, 'jid');
}

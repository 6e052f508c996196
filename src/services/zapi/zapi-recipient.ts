import { ValidationError } from '../../errors/validation-error.js';
import { InvalidRecipientError, normalizeRecipient, type Recipient } from '../messages/recipient.js';

/**
 * A `phone` / `{contato}` of the old API as a recipient: digits in any writing, a JID, Z-API's `<id>-group`, or (with
 * `isGroup`) a group's bare id. Invalid values are a 400 on `field`.
 */
export function zapiRecipient(phone: string, options: { isGroup?: boolean; field: string; location: 'body' | 'params' }): Recipient {
  const text = phone.trim();
  try {
    if (text.includes('@')) return normalizeRecipient(text);
    if (text.endsWith('-group')) return normalizeRecipient(`${text.slice(0, -'-group'.length)}@g.us`);
    if (options.isGroup) return normalizeRecipient(`${text}@g.us`);
    return normalizeRecipient(text);
  } catch (err) {
    if (err instanceof InvalidRecipientError) {
      throw new ValidationError(`Invalid request ${options.location}`, [
        { location: options.location, path: options.field, message: err.message, code: err.reason },
      ]);
    }
    throw err;
  }
}

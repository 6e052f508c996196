import type { BinaryNode } from '@whiskeysockets/baileys';
import type { Contact } from '../state/accounts.js';

/**
 * A contact's `presence` stanza as WhatsApp pushes it: `from` (the jid the device subscribed with, PN by default),
 * no `type` when online, `type=unavailable` with `last` (seconds) when not. Baileys emits presence.update
 * `{lastKnownPresence: available|unavailable, lastSeen}`.
 */
export function contactPresenceNode(contact: Contact, from = contact.jid): BinaryNode {
  const { state, lastSeen } = contact.presence;
  return { tag: 'presence', attrs: { from, ...(state === 'unavailable' ? { type: 'unavailable', last: String(lastSeen) } : {}) } };
}

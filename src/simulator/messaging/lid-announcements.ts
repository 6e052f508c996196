import { generateMessageID, type BinaryNode } from '@whiskeysockets/baileys';
import type { Contact } from '../state/accounts.js';

/**
 * WhatsApp's server tells companions a user's LID↔phone pair with a `mex` notification carrying the GraphQL
 * payload `NotificationLinkedProfilesUpdates` (`xwa2_notify_linked_profiles: {jid: LID, added_profiles: [PN]}`).
 * Baileys (messages-recv handleMexNotification) stores the pair and emits `lid-mapping.update {lid, pn}`.
 */
export function linkedProfilesNotification(contact: Contact): BinaryNode {
  const payload = { data: { xwa2_notify_linked_profiles: { jid: contact.lidJid, added_profiles: [contact.jid] } } };
  return {
    tag: 'notification',
    attrs: { from: 's.whatsapp.net', type: 'mex', id: generateMessageID(), t: String(Math.floor(Date.now() / 1000)) },
    content: [{ tag: 'update', attrs: { op_name: 'NotificationLinkedProfilesUpdates' }, content: Buffer.from(JSON.stringify(payload)) }],
  };
}

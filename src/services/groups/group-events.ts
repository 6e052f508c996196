import type { WaGroupParticipantsUpdate, WaMessageKey } from '../../engine/index.js';

const phoneOf = (jid: string | null | undefined): string | null => {
  const match = /^(\d+)(?::\d+)?@s\.whatsapp\.net$/.exec(jid ?? '');
  return match ? `+${match[1]}` : null;
};
const lidOf = (jid: string | null | undefined): string | null => (jid && jid.endsWith('@lid') ? jid : null);

/** `group-participants.update` as stored and sent: who did it, and each member with its phone and LID when known. */
export function groupParticipantsEventData(u: WaGroupParticipantsUpdate) {
  return {
    id: u.id,
    author: u.author,
    authorPhone: phoneOf(u.authorPn) ?? phoneOf(u.author),
    action: u.action,
    participants: u.participants.map((p) => ({
      id: p.id,
      phone: phoneOf(p.phoneNumber) ?? phoneOf(p.id),
      lid: p.lid ?? lidOf(p.id),
      ...(p.admin !== null ? { admin: p.admin } : {}),
    })),
  };
}

/** Who sent a group message: the participant as WhatsApp addressed it, its phone and its LID when known. */
export function groupSenderOf(key: WaMessageKey): { jid: string; phone: string | null; lid: string | null } | null {
  if (!key.remoteJid.endsWith('@g.us') || key.fromMe || !key.participant) return null;
  return {
    jid: key.participant,
    phone: phoneOf(key.participant) ?? phoneOf(key.participantAlt),
    lid: lidOf(key.participant) ?? lidOf(key.participantAlt),
  };
}

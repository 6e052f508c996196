import type { GroupParticipantAction, WaGroupMetadata, WaGroupParticipant, WaParticipantResult } from '../../engine/group-types.js';

export type GroupRoleView = 'superadmin' | 'admin' | 'member';

export interface GroupParticipantView {
  /** As WhatsApp lists the member (the group's addressing: PN or LID). */
  jid: string;
  /** E.164 with a leading `+`, when known. */
  phone: string | null;
  lid: string | null;
  role: GroupRoleView;
}

export interface GroupView {
  jid: string;
  subject: string;
  description: string | null;
  /** Who created the group (jid and phone when known). */
  owner: { jid: string; phone: string | null } | null;
  /** ISO 8601. */
  createdAt: string | null;
  settings: {
    /** Only admins send messages. */
    announcement: boolean;
    /** Only admins edit the subject, description and picture. */
    locked: boolean;
  };
  addressingMode: 'pn' | 'lid';
  size: number;
  participants: GroupParticipantView[];
}

/** What WhatsApp answered for one participant of an add/remove/promote/demote. */
export type ParticipantOutcome =
  | 'added'
  | 'removed'
  | 'promoted'
  | 'demoted'
  | 'already_in'
  | 'already_admin'
  | 'not_admin'
  | 'not_in_group'
  | 'not_on_whatsapp'
  | 'needs_invite'
  | 'not_authorized'
  | 'recently_left'
  | 'group_full'
  | 'failed';

export interface ParticipantResultView {
  jid: string;
  phone: string | null;
  /** True when the change was made. */
  success: boolean;
  status: ParticipantOutcome;
  /** WhatsApp's own code (200, 403, 404, 408, 409, 500). */
  code: number;
  /** With `needs_invite`: the group's invite code to send the person instead, and until when it is valid. */
  invite?: { code: string; expiresAt: string | null };
}

export function phoneOfJid(jid: string | null | undefined): string | null {
  const match = /^(\d+)(?::\d+)?@s\.whatsapp\.net$/.exec(jid ?? '');
  return match ? `+${match[1]}` : null;
}

const iso = (seconds: number | null) => (seconds ? new Date(seconds * 1000).toISOString() : null);

export function toParticipantView(p: WaGroupParticipant): GroupParticipantView {
  return { jid: p.id, phone: phoneOfJid(p.phoneNumber ?? p.id), lid: p.lid, role: p.admin ?? 'member' };
}

export function toGroupView(g: WaGroupMetadata): GroupView {
  const owner = g.owner ?? g.ownerPn;
  return {
    jid: g.id,
    subject: g.subject,
    description: g.desc,
    owner: owner ? { jid: owner, phone: phoneOfJid(g.ownerPn ?? g.owner) } : null,
    createdAt: iso(g.creation),
    settings: { announcement: g.announce, locked: g.restrict },
    addressingMode: g.addressingMode,
    size: g.size,
    participants: g.participants.map(toParticipantView),
  };
}

const DONE: Record<GroupParticipantAction, ParticipantOutcome> = { add: 'added', remove: 'removed', promote: 'promoted', demote: 'demoted' };

function outcomeOf(action: GroupParticipantAction, r: WaParticipantResult): ParticipantOutcome {
  switch (r.status) {
    case 200:
      return DONE[action];
    case 404:
      return action === 'add' ? 'not_on_whatsapp' : 'not_in_group';
    case 409:
      return action === 'add' ? 'already_in' : action === 'promote' ? 'already_admin' : action === 'demote' ? 'not_admin' : 'failed';
    case 403:
      return action === 'add' && r.invite ? 'needs_invite' : 'not_authorized';
    case 408:
      return 'recently_left';
    case 500:
      return action === 'add' ? 'group_full' : 'failed';
    default:
      return 'failed';
  }
}

export function toParticipantResultView(action: GroupParticipantAction, r: WaParticipantResult): ParticipantResultView {
  const status = outcomeOf(action, r);
  return {
    jid: r.jid,
    phone: phoneOfJid(r.jid),
    success: r.status === 200,
    status,
    code: r.status,
    ...(r.invite && status === 'needs_invite' ? { invite: { code: r.invite.code, expiresAt: iso(r.invite.expiration) } } : {}),
  };
}

/**
 * Plain group shapes that leave the engine (the group operations' payloads and results, and the
 * `group-participants.update` event). Nothing here refers to Baileys.
 */

export type GroupRole = 'superadmin' | 'admin' | null;

/** One member as WhatsApp lists it: `id` in the group's addressing (PN or LID), the other form when known. */
export interface WaGroupParticipant {
  id: string;
  /** `<digits>@s.whatsapp.net` when known. */
  phoneNumber: string | null;
  /** `<digits>@lid` when known. */
  lid: string | null;
  admin: GroupRole;
}

/** A group's metadata (groupMetadata, groupCreate, groupFetchAllParticipating). */
export interface WaGroupMetadata {
  id: string;
  subject: string;
  /** Seconds since the epoch. */
  subjectTime: number | null;
  subjectOwner: string | null;
  desc: string | null;
  owner: string | null;
  ownerPn: string | null;
  /** Seconds since the epoch. */
  creation: number | null;
  /** Only admins send messages. */
  announce: boolean;
  /** Only admins edit the group's info (WhatsApp's `locked`). */
  restrict: boolean;
  addressingMode: 'pn' | 'lid';
  size: number;
  participants: WaGroupParticipant[];
}

export type GroupParticipantAction = 'add' | 'remove' | 'promote' | 'demote';

/** WhatsApp's answer for one participant of an add/remove/promote/demote. */
export interface WaParticipantResult {
  /** The JID that was asked for (as WhatsApp echoes it). */
  jid: string;
  /** WhatsApp's code: 200 done, 403, 404, 408, 409, 500 (see the service's mapping). */
  status: number;
  /** With a 403 on `add`: the invite the admin may send instead (the number only accepts invites). */
  invite: { code: string; expiration: number | null } | null;
}

/** The group settings the API changes. */
export type GroupSetting = 'announcement' | 'not_announcement' | 'locked' | 'unlocked';

/** `group-participants.update`: members added, removed, promoted or demoted, and who did it. */
export interface WaGroupParticipantsUpdate {
  id: string;
  /** Who did it (PN or LID jid); null when WhatsApp did not say. */
  author: string | null;
  authorPn: string | null;
  action: GroupParticipantAction | 'modify';
  participants: WaGroupParticipant[];
}

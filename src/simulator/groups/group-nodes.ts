import { generateMessageID, type BinaryNode } from '@whiskeysockets/baileys';
import { lidJid, lidUserFor, pnJid } from '../state/accounts.js';
import type { Group, GroupMember, GroupSetting, ParticipantAction } from './groups.js';

/** A member as WhatsApp lists it in a PN-addressed group: PN jid, its LID, and the admin type if any. */
export function participantNode(member: Pick<GroupMember, 'phone'> & Partial<GroupMember>): BinaryNode {
  return {
    tag: 'participant',
    attrs: { jid: pnJid(member.phone), lid: lidJid(lidUserFor(member.phone)), ...(member.role ? { type: member.role } : {}) },
  };
}

/** The `<group>` node of w:g2 answers and of the `create` notification (Baileys' extractGroupMetadata reads it). */
export function groupMetadataNode(group: Group): BinaryNode {
  const content: BinaryNode[] = [...group.members.values()].map(participantNode);
  if (group.description) {
    const d = group.description;
    content.unshift({
      tag: 'description',
      attrs: { id: d.id, participant: pnJid(d.owner), t: String(d.time) },
      content: [{ tag: 'body', attrs: {}, content: Buffer.from(d.text) }],
    });
  }
  if (group.announce) content.push({ tag: 'announcement', attrs: {} });
  if (group.locked) content.push({ tag: 'locked', attrs: {} });
  return {
    tag: 'group',
    attrs: {
      id: group.id,
      creator: pnJid(group.owner),
      creation: String(group.creation),
      subject: group.subject,
      s_t: String(group.subjectTime),
      s_o: pnJid(group.subjectOwner),
      size: String(group.members.size),
      addressing_mode: group.addressingMode,
    },
    content,
  };
}

/** `<notification type="w:gp2">` from the group, acted by `actor` (phone number), around one change node. */
export function groupNotification(group: Group, actor: { phone: string; name?: string }, child: BinaryNode, t: number): BinaryNode {
  return {
    tag: 'notification',
    attrs: {
      from: group.jid,
      type: 'w:gp2',
      id: generateMessageID(),
      participant: pnJid(actor.phone),
      participant_lid: lidJid(lidUserFor(actor.phone)),
      ...(actor.name ? { notify: actor.name } : {}),
      addressing_mode: group.addressingMode,
      t: String(t),
    },
    content: [child],
  };
}

export const createChange = (group: Group): BinaryNode => ({ tag: 'create', attrs: { reason: 'create' }, content: [groupMetadataNode(group)] });

export const subjectChange = (group: Group): BinaryNode => ({
  tag: 'subject',
  attrs: { subject: group.subject, s_o: pnJid(group.subjectOwner), s_t: String(group.subjectTime) },
});

export const descriptionChange = (group: Group): BinaryNode =>
  group.description
    ? { tag: 'description', attrs: { id: group.description.id }, content: [{ tag: 'body', attrs: {}, content: Buffer.from(group.description.text) }] }
    : { tag: 'description', attrs: { id: generateMessageID(), delete: 'true' } };

/** `announcement|not_announcement|locked|unlocked`: Baileys emits groups.update {announce|restrict}. */
export const settingChange = (setting: GroupSetting): BinaryNode => ({ tag: setting, attrs: {} });

/** `invite{code}` after a revoke: Baileys emits groups.update {inviteCode}. */
export const inviteChange = (group: Group): BinaryNode => ({ tag: 'invite', attrs: { code: group.inviteCode } });

export const participantsChange = (group: Group, action: ParticipantAction, phones: string[], reason?: 'invite'): BinaryNode => ({
  tag: action,
  attrs: reason ? { reason } : {},
  content: phones.map((phone) => participantNode(group.members.get(phone) ?? { phone, role: null })),
});

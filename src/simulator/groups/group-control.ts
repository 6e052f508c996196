import { lidJid, lidUserFor, pnJid } from '../state/accounts.js';
import { SimulatorError } from '../errors.js';
import { buildContactMessage } from '../messaging/contact-messages.js';
import type { GroupActions, ParticipantResult } from './group-actions.js';
import type { ProfileActions } from '../profiles/profile-actions.js';
import type { GroupRelay } from './group-relay.js';
import type { CreateGroupBody, GroupMessageBody, GroupParticipantsBody, GroupPictureBody, JoinGroupBody, UpdateGroupBody } from './group-schemas.js';
import type { Group } from './groups.js';
import type { SimulatorContext } from '../state/simulator-state.js';

/** A group as the control API shows it. */
export interface GroupView {
  jid: string;
  subject: string;
  description: string | null;
  owner: string;
  creation: number;
  addressingMode: 'pn';
  /** Only admins send. */
  announce: boolean;
  /** Only admins edit the info. */
  locked: boolean;
  /** The current invite link code (`https://chat.whatsapp.com/<code>`). */
  inviteCode: string;
  /** The group picture's URL, or null. */
  pictureUrl: string | null;
  participants: { phone: string; jid: string; lid: string; admin: 'admin' | 'superadmin' | null }[];
}

/** The control API's group use cases: what contacts do in groups (the devices act through w:g2 iqs). */
export class GroupControl {
  constructor(
    private readonly ctx: SimulatorContext,
    private readonly actions: GroupActions,
    private readonly relay: GroupRelay,
    private readonly profiles: ProfileActions,
  ) {}

  create(body: CreateGroupBody): GroupView {
    this.ctx.state.contact(body.creator);
    for (const number of body.participants) this.assertKnown(number);
    return this.view(this.actions.create(body.creator, body.subject, body.participants, { description: body.description }));
  }

  list(): GroupView[] {
    return this.ctx.state.groups.all().map((g) => this.view(g));
  }

  get(jid: string): GroupView {
    return this.view(this.ctx.state.groups.get(jid));
  }

  update(jid: string, body: UpdateGroupBody): GroupView {
    const group = this.ctx.state.groups.get(jid);
    this.ctx.state.contact(body.by);
    if (body.subject !== undefined) this.actions.setSubject(group, body.by, body.subject);
    if (body.description !== undefined) this.actions.setDescription(group, body.by, body.description ?? undefined);
    if (body.announce !== undefined) this.actions.setSetting(group, body.by, body.announce ? 'announcement' : 'not_announcement');
    if (body.locked !== undefined) this.actions.setSetting(group, body.by, body.locked ? 'locked' : 'unlocked');
    return this.view(group);
  }

  /** `results` has WhatsApp's code per number (200, 403 + inviteCode, 404, 408, 409, 500); `changed` the 200s. */
  participants(jid: string, body: GroupParticipantsBody): { changed: string[]; results: ParticipantResult[]; group: GroupView } {
    const group = this.ctx.state.groups.get(jid);
    this.ctx.state.contact(body.by);
    if (body.action === 'add') for (const number of body.participants) this.assertKnown(number);
    const results = this.actions.updateParticipants(group, body.by, body.action, body.participants);
    return { changed: results.filter((r) => r.status === 200).map((r) => r.phone), results, group: this.view(group) };
  }

  /** A contact joins with an invite code: 406 `invite_not_found`, 401 `invite_revoked`, 500 `group_full`. */
  join(body: JoinGroupBody): GroupView {
    this.ctx.state.contact(body.phone);
    return this.view(this.actions.join(body.phone, body.code));
  }

  /** An admin contact revokes the invite link: a new code; devices get groups.update {inviteCode}. */
  revokeInvite(jid: string, by: string): { inviteCode: string } {
    const group = this.ctx.state.groups.get(jid);
    this.ctx.state.contact(by);
    return { inviteCode: this.actions.revokeInvite(group, by) };
  }

  /** A member contact sets (or with null removes) the group picture; locked groups need an admin. */
  setPicture(jid: string, body: GroupPictureBody): GroupView {
    const group = this.ctx.state.groups.get(jid);
    this.ctx.state.contact(body.by);
    this.actions.assertCanEditInfo(group, body.by);
    this.profiles.setPicture(group.jid, body.picture ? Buffer.from(body.picture.dataBase64, 'base64') : undefined, body.by);
    return this.view(group);
  }

  /** A member contact's group message of any kind; recorded so later kinds (reply, vote, edit…) can refer to it. */
  async send(jid: string, body: GroupMessageBody): Promise<{ id: string }> {
    const group = this.ctx.state.groups.get(jid);
    const contact = this.ctx.state.contact(body.from);
    const built = await buildContactMessage(body, { sender: contact, chat: { kind: 'group', jid: group.jid }, addressing: 'pn', book: this.ctx.state.book, media: this.ctx.media });
    const id = await this.relay.sendFromContact(contact, group, built.content, { edit: built.edit });
    this.ctx.state.book.record({ id, message: built.content, sender: contact.phone, chat: group.jid });
    return { id };
  }

  private assertKnown(number: string): void {
    if (!this.ctx.state.contacts.has(number) && !this.ctx.state.phone(number)) {
      throw new SimulatorError('participant_not_found', 404, `${number} is neither a contact nor a linked number`);
    }
  }

  private view(group: Group): GroupView {
    const picture = this.ctx.state.profiles.find(group.jid)?.picture;
    return { ...view(group), pictureUrl: picture ? this.profiles.pictureUrl(picture) : null };
  }
}

function view(group: Group): Omit<GroupView, 'pictureUrl'> {
  return {
    jid: group.jid,
    subject: group.subject,
    description: group.description?.text ?? null,
    owner: group.owner,
    creation: group.creation,
    addressingMode: group.addressingMode,
    announce: group.announce,
    locked: group.locked,
    inviteCode: group.inviteCode,
    participants: [...group.members.values()].map((m) => ({ phone: m.phone, jid: pnJid(m.phone), lid: lidJid(lidUserFor(m.phone)), admin: m.role })),
  };
}

import { lidJid, lidUserFor, pnJid } from '../state/accounts.js';
import { SimulatorError } from '../errors.js';
import { buildContactMessage } from '../messaging/contact-messages.js';
import type { GroupActions } from './group-actions.js';
import type { GroupRelay } from './group-relay.js';
import type { CreateGroupBody, GroupMessageBody, GroupParticipantsBody, UpdateGroupBody } from './group-schemas.js';
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
  participants: { phone: string; jid: string; lid: string; admin: 'admin' | 'superadmin' | null }[];
}

/** The control API's group use cases: what contacts do in groups (the devices act through w:g2 iqs). */
export class GroupControl {
  constructor(
    private readonly ctx: SimulatorContext,
    private readonly actions: GroupActions,
    private readonly relay: GroupRelay,
  ) {}

  create(body: CreateGroupBody): GroupView {
    this.ctx.state.contact(body.creator);
    for (const number of body.participants) this.assertKnown(number);
    return view(this.actions.create(body.creator, body.subject, body.participants, { description: body.description }));
  }

  list(): GroupView[] {
    return this.ctx.state.groups.all().map(view);
  }

  get(jid: string): GroupView {
    return view(this.ctx.state.groups.get(jid));
  }

  update(jid: string, body: UpdateGroupBody): GroupView {
    const group = this.ctx.state.groups.get(jid);
    this.ctx.state.contact(body.by);
    if (body.subject !== undefined) this.actions.setSubject(group, body.by, body.subject);
    if (body.description !== undefined) this.actions.setDescription(group, body.by, body.description ?? undefined);
    return view(group);
  }

  participants(jid: string, body: GroupParticipantsBody): { changed: string[]; group: GroupView } {
    const group = this.ctx.state.groups.get(jid);
    this.ctx.state.contact(body.by);
    if (body.action === 'add') for (const number of body.participants) this.assertKnown(number);
    const changed = this.actions.changeParticipants(group, body.by, body.action, body.participants);
    return { changed, group: view(group) };
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
}

function view(group: Group): GroupView {
  return {
    jid: group.jid,
    subject: group.subject,
    description: group.description?.text ?? null,
    owner: group.owner,
    creation: group.creation,
    addressingMode: group.addressingMode,
    participants: [...group.members.values()].map((m) => ({ phone: m.phone, jid: pnJid(m.phone), lid: lidJid(lidUserFor(m.phone)), admin: m.role })),
  };
}

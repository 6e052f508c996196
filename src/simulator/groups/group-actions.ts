import type { BinaryNode } from '@whiskeysockets/baileys';
import type { LinkedDevice } from '../state/accounts.js';
import { SimulatorError } from '../errors.js';
import { createChange, descriptionChange, groupNotification, participantsChange, subjectChange } from './group-nodes.js';
import type { Group, ParticipantAction } from './groups.js';
import type { MessageRelay } from '../messaging/message-relay.js';
import type { SimulatorContext } from '../state/simulator-state.js';

const now = (): number => Math.floor(Date.now() / 1000);

/**
 * Group changes, whoever makes them (a contact through the control API, a device through w:g2 iqs):
 * the state changes, then every linked device concerned gets the `w:gp2` notification Baileys turns into
 * groups.upsert / groups.update / group-participants.update. `except` is the device that asked (it has the answer).
 */
export class GroupActions {
  constructor(
    private readonly ctx: SimulatorContext,
    private readonly relay: MessageRelay,
  ) {}

  create(creator: string, subject: string, members: string[], opts: { description?: string; except?: LinkedDevice } = {}): Group {
    const t = now();
    const group = this.ctx.state.groups.create(subject, creator, members.filter((m) => m !== creator), t);
    if (opts.description) group.description = { id: `${t}${group.id.slice(-4)}`, text: opts.description, owner: creator, time: t };
    this.notify(group, creator, createChange(group), [...group.members.keys()], opts.except);
    return group;
  }

  setSubject(group: Group, actor: string, subject: string, except?: LinkedDevice): void {
    this.assertMember(group, actor);
    group.subject = subject;
    group.subjectOwner = actor;
    group.subjectTime = now();
    this.notify(group, actor, subjectChange(group), [...group.members.keys()], except);
  }

  setDescription(group: Group, actor: string, text: string | undefined, except?: LinkedDevice): void {
    this.assertMember(group, actor);
    const t = now();
    group.description = text ? { id: `${t}${Math.random().toString(16).slice(2, 10)}`.toUpperCase(), text, owner: actor, time: t } : undefined;
    this.notify(group, actor, descriptionChange(group), [...group.members.keys()], except);
  }

  /** Adds, removes, promotes or demotes; only admins may. Returns the numbers that changed. */
  changeParticipants(group: Group, actor: string, action: ParticipantAction, requested: string[], except?: LinkedDevice): string[] {
    this.assertMember(group, actor);
    const phones = [...new Set(requested)];
    const leaving = action === 'remove' && phones.length === 1 && phones[0] === actor;
    if (!group.isAdmin(actor) && !leaving) throw new SimulatorError('not_an_admin', 403, `${actor} is not an admin of ${group.jid}`);
    const before = [...group.members.keys()];
    // removed members are listed with the role they had
    const removal = action === 'remove' ? participantsChange(group, action, phones.filter((p) => group.has(p) && p !== group.owner)) : undefined;
    const changed = group.apply(action, phones);
    if (!changed.length) return changed;
    if (action === 'remove') {
      // the contacts start new sender key chains, so the removed member cannot read what they send next
      for (const phone of before) {
        const contact = this.ctx.state.contacts.get(phone);
        if (!contact) continue;
        contact.senderKeys.rotate(group.jid, { user: contact.phone, device: 0 });
        for (const holder of [...contact.senderKeyHolders]) if (holder.startsWith(`${group.jid}|`)) contact.senderKeyHolders.delete(holder);
      }
    }
    this.notify(group, actor, removal ?? participantsChange(group, action, changed), [...new Set([...before, ...changed])], except);
    return changed;
  }

  /** Sends the notification to every device of the linked numbers among `recipients`. */
  private notify(group: Group, actor: string, child: BinaryNode, recipients: string[], except?: LinkedDevice): void {
    const name = this.ctx.state.contacts.get(actor)?.name ?? this.ctx.state.phone(actor)?.name;
    const node = groupNotification(group, { phone: actor, name }, child, now());
    for (const number of recipients) {
      for (const device of this.ctx.state.phone(number)?.devices.values() ?? []) {
        if (device === except) continue;
        this.relay.deliver(device, async () => ({ ...node, attrs: { ...node.attrs } }));
      }
    }
  }

  private assertMember(group: Group, phone: string): void {
    if (!group.has(phone)) throw new SimulatorError('not_a_participant', 403, `${phone} is not in ${group.jid}`);
  }
}

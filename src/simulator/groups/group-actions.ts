import type { BinaryNode } from '@whiskeysockets/baileys';
import type { LinkedDevice } from '../state/accounts.js';
import { SimulatorError } from '../errors.js';
import {
  createChange,
  descriptionChange,
  groupNotification,
  inviteChange,
  participantsChange,
  settingChange,
  subjectChange,
} from './group-nodes.js';
import { newInviteCode, RECENTLY_LEFT_MS, type Group, type GroupSetting, type ParticipantAction } from './groups.js';
import type { MessageRelay } from '../messaging/message-relay.js';
import type { SimulatorContext } from '../state/simulator-state.js';

const now = (): number => Math.floor(Date.now() / 1000);

/**
 * What WhatsApp answers per participant of an add/remove/promote/demote: 200 done, 403 the person's privacy
 * settings need an invite (`inviteCode` is the group's code to send them), 404 not on WhatsApp (or not a member,
 * for remove/promote/demote), 408 left the group recently, 409 already in (or already in that role), 500 group full.
 */
export interface ParticipantResult {
  phone: string;
  status: 200 | 403 | 404 | 408 | 409 | 500;
  inviteCode?: string;
}

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

  /**
   * Creates a group. Unknown numbers and people whose privacy needs an invite are left out (as WhatsApp does);
   * more members than the size limit fails the whole creation (406 `group_too_large`).
   */
  create(creator: string, subject: string, members: string[], opts: { description?: string; except?: LinkedDevice } = {}): Group {
    const wanted = [...new Set(members.filter((m) => m !== creator))];
    if (wanted.length + 1 > this.ctx.state.groups.sizeLimit) {
      throw new SimulatorError('group_too_large', 406, `a group holds at most ${this.ctx.state.groups.sizeLimit} members`);
    }
    const t = now();
    const addable = wanted.filter((m) => this.known(m) && !this.needsInvite(m));
    const group = this.ctx.state.groups.create(subject, creator, addable, t);
    if (opts.description) group.description = { id: `${t}${group.id.slice(-4)}`, text: opts.description, owner: creator, time: t };
    this.notify(group, creator, createChange(group), [...group.members.keys()], opts.except);
    return group;
  }

  setSubject(group: Group, actor: string, subject: string, except?: LinkedDevice): void {
    this.assertCanEditInfo(group, actor);
    group.subject = subject;
    group.subjectOwner = actor;
    group.subjectTime = now();
    this.notify(group, actor, subjectChange(group), [...group.members.keys()], except);
  }

  setDescription(group: Group, actor: string, text: string | undefined, except?: LinkedDevice): void {
    this.assertCanEditInfo(group, actor);
    const t = now();
    group.description = text ? { id: `${t}${Math.random().toString(16).slice(2, 10)}`.toUpperCase(), text, owner: actor, time: t } : undefined;
    this.notify(group, actor, descriptionChange(group), [...group.members.keys()], except);
  }

  /** announcement / not_announcement (who may send), locked / unlocked (who may edit the info); admins only. */
  setSetting(group: Group, actor: string, setting: GroupSetting, except?: LinkedDevice): void {
    this.assertAdmin(group, actor);
    if (setting === 'announcement' || setting === 'not_announcement') group.announce = setting === 'announcement';
    else group.locked = setting === 'locked';
    this.notify(group, actor, settingChange(setting), [...group.members.keys()], except);
  }

  /** The invite link code; only admins see it. */
  inviteCode(group: Group, actor: string): string {
    this.assertAdmin(group, actor);
    return group.inviteCode;
  }

  /** A new invite code; the old one stops working (joining with it: 401 revoked). */
  revokeInvite(group: Group, actor: string, except?: LinkedDevice): string {
    this.assertAdmin(group, actor);
    this.ctx.state.groups.revokedCodes.add(group.inviteCode);
    group.inviteCode = newInviteCode();
    this.notify(group, actor, inviteChange(group), [...group.members.keys()], except);
    return group.inviteCode;
  }

  /** The group an invite code opens: 406 unknown code, 401 revoked. */
  groupForCode(code: string): Group {
    const group = this.ctx.state.groups.byInviteCode(code);
    if (group) return group;
    if (this.ctx.state.groups.revokedCodes.has(code)) throw new SimulatorError('invite_revoked', 401, 'this invite link was revoked');
    throw new SimulatorError('invite_not_found', 406, 'no group has this invite code');
  }

  /** Joins by invite code; members get `add{reason: invite}` acted by the joiner. Already a member: no change. */
  join(phone: string, code: string, except?: LinkedDevice): Group {
    const group = this.groupForCode(code);
    if (group.has(phone)) return group;
    if (group.members.size + 1 > this.ctx.state.groups.sizeLimit) throw new SimulatorError('group_full', 500, `${group.jid} is full`);
    group.apply('add', [phone]);
    group.recentlyLeft.delete(phone);
    this.notify(group, phone, participantsChange(group, 'add', [phone], 'invite'), [...group.members.keys()], except);
    return group;
  }

  /** Adds, removes, promotes or demotes; only admins may (anyone may remove themselves). Returns the numbers that changed. */
  changeParticipants(group: Group, actor: string, action: ParticipantAction, requested: string[], except?: LinkedDevice): string[] {
    return this.updateParticipants(group, actor, action, requested, except)
      .filter((r) => r.status === 200)
      .map((r) => r.phone);
  }

  /** As changeParticipants, with WhatsApp's result per requested number. */
  updateParticipants(group: Group, actor: string, action: ParticipantAction, requested: string[], except?: LinkedDevice): ParticipantResult[] {
    this.assertMember(group, actor);
    const phones = [...new Set(requested)];
    const leaving = action === 'remove' && phones.length === 1 && phones[0] === actor;
    if (!leaving) this.assertAdmin(group, actor);
    const results = phones.map((phone) => this.check(group, action, phone));
    if (action === 'add') {
      // the size limit applies in request order, after the other checks
      let room = this.ctx.state.groups.sizeLimit - group.members.size;
      for (const r of results) if (r.status === 200 && room-- <= 0) r.status = 500;
    }
    const accepted = results.filter((r) => r.status === 200).map((r) => r.phone);
    const before = [...group.members.keys()];
    // removed members are listed with the role they had
    const removal = action === 'remove' ? participantsChange(group, action, accepted) : undefined;
    const changed = group.apply(action, accepted);
    if (!changed.length) return results;
    if (action === 'remove') {
      if (leaving) group.recentlyLeft.set(actor, Date.now());
      // the contacts start new sender key chains, so the removed member cannot read what they send next
      for (const phone of before) {
        const contact = this.ctx.state.contacts.get(phone);
        if (!contact) continue;
        contact.senderKeys.rotate(group.jid, { user: contact.phone, device: 0 });
        for (const holder of [...contact.senderKeyHolders]) if (holder.startsWith(`${group.jid}|`)) contact.senderKeyHolders.delete(holder);
      }
    }
    if (action === 'add') for (const phone of changed) group.recentlyLeft.delete(phone);
    this.notify(group, actor, removal ?? participantsChange(group, action, changed), [...new Set([...before, ...changed])], except);
    return results;
  }

  private check(group: Group, action: ParticipantAction, phone: string): ParticipantResult {
    const member = group.members.get(phone);
    if (action === 'add') {
      if (!this.known(phone)) return { phone, status: 404 };
      if (member) return { phone, status: 409 };
      const left = group.recentlyLeft.get(phone);
      if (left !== undefined && Date.now() - left < RECENTLY_LEFT_MS) return { phone, status: 408 };
      if (this.needsInvite(phone)) return { phone, status: 403, inviteCode: group.inviteCode };
      return { phone, status: 200 };
    }
    if (!member) return { phone, status: 404 };
    if (action === 'remove') return phone === group.owner ? { phone, status: 403 } : { phone, status: 200 };
    if (action === 'promote') return member.role === null ? { phone, status: 200 } : { phone, status: 409 };
    return member.role === 'admin' ? { phone, status: 200 } : { phone, status: member.role === 'superadmin' ? 403 : 409 };
  }

  private known(phone: string): boolean {
    return this.ctx.state.contacts.has(phone) || !!this.ctx.state.phone(phone);
  }

  /** A contact whose "who can add me to groups" privacy makes admins send an invite instead. */
  private needsInvite(phone: string): boolean {
    return this.ctx.state.profiles.find(phone)?.groupAdd === 'invite';
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

  private assertAdmin(group: Group, phone: string): void {
    this.assertMember(group, phone);
    if (!group.isAdmin(phone)) throw new SimulatorError('not_an_admin', 403, `${phone} is not an admin of ${group.jid}`);
  }

  /** Subject, description and picture: any member, or only admins when the group is locked. */
  assertCanEditInfo(group: Group, phone: string): void {
    this.assertMember(group, phone);
    if (group.locked && !group.isAdmin(phone)) throw new SimulatorError('not_an_admin', 403, `${group.jid} is locked: only admins edit its info`);
  }
}

import { randomInt } from 'node:crypto';
import { SimulatorError } from '../errors.js';

export type GroupRole = 'superadmin' | 'admin' | null;
export type ParticipantAction = 'add' | 'remove' | 'promote' | 'demote';

/** A group member by phone number: a simulated contact or a linked number. */
export interface GroupMember {
  phone: string;
  role: GroupRole;
}

/** What WhatsApp keeps about a group (PN addressing mode, the only one simulated). */
export class Group {
  subject: string;
  subjectOwner: string;
  subjectTime: number;
  description?: { id: string; text: string; owner: string; time: number };
  readonly members = new Map<string, GroupMember>();
  readonly addressingMode = 'pn' as const;
  /** `announcement`: only admins send messages. */
  announce = false;
  /** `locked`: only admins edit the group info (subject, description, picture). */
  locked = false;

  constructor(
    /** The user part of the jid: `120363` followed by 12 digits, as WhatsApp allocates them now. */
    readonly id: string,
    subject: string,
    /** Phone number of the creator. */
    readonly owner: string,
    readonly creation: number,
  ) {
    this.subject = subject;
    this.subjectOwner = owner;
    this.subjectTime = creation;
    this.members.set(owner, { phone: owner, role: 'superadmin' });
  }

  get jid(): string {
    return `${this.id}@g.us`;
  }

  has(phone: string): boolean {
    return this.members.has(phone);
  }

  isAdmin(phone: string): boolean {
    return !!this.members.get(phone)?.role;
  }

  /** Applies a membership change; returns the numbers it changed (unknown or no-op numbers are skipped). */
  apply(action: ParticipantAction, phones: string[]): string[] {
    const changed: string[] = [];
    for (const phone of phones) {
      const member = this.members.get(phone);
      if (action === 'add' && !member) this.members.set(phone, { phone, role: null });
      else if (action === 'remove' && member && phone !== this.owner) this.members.delete(phone);
      else if (action === 'promote' && member && member.role === null) member.role = 'admin';
      else if (action === 'demote' && member && member.role === 'admin') member.role = null;
      else continue;
      changed.push(phone);
    }
    return changed;
  }
}

/** The groups the simulator knows, by jid. */
export class GroupDirectory {
  private readonly groups = new Map<string, Group>();

  create(subject: string, owner: string, members: string[], now: number): Group {
    let id: string;
    do id = `120363${String(randomInt(0, 1e6)).padStart(6, '0')}${String(randomInt(0, 1e6)).padStart(6, '0')}`;
    while (this.groups.has(id));
    const group = new Group(id, subject, owner, now);
    group.apply('add', members);
    this.groups.set(id, group);
    return group;
  }

  /** By jid (`…@g.us`) or bare id. */
  find(jid: string): Group | undefined {
    return this.groups.get(jid.replace(/@g\.us$/, ''));
  }

  get(jid: string): Group {
    const group = this.find(jid);
    if (!group) throw new SimulatorError('group_not_found', 404, `no group ${jid}`);
    return group;
  }

  /** Groups `phone` belongs to. */
  of(phone: string): Group[] {
    return [...this.groups.values()].filter((g) => g.has(phone));
  }

  all(): Group[] {
    return [...this.groups.values()];
  }
}

import { randomBytes, randomInt } from 'node:crypto';
import { SimulatorError } from '../errors.js';

export type GroupRole = 'superadmin' | 'admin' | null;
export type ParticipantAction = 'add' | 'remove' | 'promote' | 'demote';
export type GroupSetting = 'announcement' | 'not_announcement' | 'locked' | 'unlocked';

/** WhatsApp's cap on a group's size (members including the creator). */
export const DEFAULT_GROUP_SIZE_LIMIT = 1024;
/** How long someone who left a group on their own cannot be added back by an admin (per-participant 408). */
export const RECENTLY_LEFT_MS = 24 * 3600 * 1000;

/** A fresh invite code: 22 characters of [A-Za-z0-9], as in `https://chat.whatsapp.com/<code>`. */
export const newInviteCode = (): string =>
  randomBytes(32)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 22);

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
  /** The current invite link code (members join with it; revoking makes a new one). */
  inviteCode = newInviteCode();
  /** Numbers that left on their own, and when (ms): an admin cannot add them back for a while (408). */
  readonly recentlyLeft = new Map<string, number>();

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
  /** Codes that were revoked (joining with one is refused as revoked, not as unknown). */
  readonly revokedCodes = new Set<string>();
  /** Members a group may hold; `startSimulator({ groupSizeLimit })` lowers it for tests. */
  sizeLimit = DEFAULT_GROUP_SIZE_LIMIT;

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

  byInviteCode(code: string): Group | undefined {
    return [...this.groups.values()].find((g) => g.inviteCode === code);
  }

  /** Groups `phone` belongs to. */
  of(phone: string): Group[] {
    return [...this.groups.values()].filter((g) => g.has(phone));
  }

  all(): Group[] {
    return [...this.groups.values()];
  }
}

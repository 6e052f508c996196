import {
  getBinaryNodeChild,
  getBinaryNodeChildren,
  isLidUser,
  isPnUser,
  jidNormalizedUser,
  type GroupMetadata,
  type WASocket,
} from '@whiskeysockets/baileys';
// Not re-exported by Baileys' index; the package has no `exports` map, so the deep import is stable for a pinned version.
import { extractGroupMetadata } from '@whiskeysockets/baileys/lib/Socket/groups.js';
import { toGroupError, type GroupOperationKind } from './group-errors.js';
import type {
  GroupParticipantAction,
  WaGroupMetadata,
  WaGroupParticipant,
  WaParticipantResult,
} from './group-types.js';
import type { OperationContext, SocketOperation } from './socket-operations.js';

function operation<P, R>(run: (ctx: OperationContext, payload: P) => Promise<R>): SocketOperation<P, R> {
  return { run };
}

/** Runs a Baileys group call; WhatsApp's iq errors become GroupOperationErrors (404 not found, 403 not admin...). */
async function iq<T>(kind: GroupOperationKind, target: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toGroupError(err, kind, target);
  }
}

export function toGroupMetadata(g: GroupMetadata): WaGroupMetadata {
  return {
    id: g.id,
    subject: g.subject ?? '',
    subjectTime: g.subjectTime && Number.isFinite(g.subjectTime) ? g.subjectTime : null,
    subjectOwner: g.subjectOwner ?? null,
    desc: g.desc ?? null,
    owner: g.owner ?? null,
    ownerPn: g.ownerPn ?? null,
    creation: g.creation && Number.isFinite(g.creation) ? g.creation : null,
    announce: Boolean(g.announce),
    restrict: Boolean(g.restrict),
    addressingMode: g.addressingMode === 'lid' ? 'lid' : 'pn',
    size: g.size ?? g.participants.length,
    participants: g.participants.map(toGroupParticipant),
  };
}

export function toGroupParticipant(p: { id: string; phoneNumber?: string | undefined; lid?: string | undefined; admin?: string | null | undefined }): WaGroupParticipant {
  return {
    id: p.id,
    phoneNumber: isPnUser(p.id) ? p.id : (p.phoneNumber ?? null),
    lid: isLidUser(p.id) ? p.id : (p.lid ?? null),
    admin: p.admin === 'admin' || p.admin === 'superadmin' ? p.admin : null,
  };
}

/** The device's own number as a PN jid (`<digits>@s.whatsapp.net`), and its LID when known. */
function me(sock: WASocket): { pn: string; lid: string | null } {
  const user = sock.user;
  return { pn: jidNormalizedUser(user?.id), lid: user?.lid ? jidNormalizedUser(user.lid) : null };
}

function isMe(sock: WASocket, p: WaGroupParticipant): boolean {
  const self = me(sock);
  return p.id === self.pn || p.phoneNumber === self.pn || (self.lid !== null && (p.id === self.lid || p.lid === self.lid));
}

/**
 * The groups the number is in, by the same iq as groupFetchAllParticipating: that call also emits `groups.update`
 * for every group, which would send each tenant a webhook per group on every list request.
 */
async function fetchParticipating(sock: WASocket): Promise<WaGroupMetadata[]> {
  const result = await sock.query({
    tag: 'iq',
    attrs: { to: '@g.us', xmlns: 'w:g2', type: 'get' },
    content: [{ tag: 'participating', attrs: {}, content: [{ tag: 'participants', attrs: {} }, { tag: 'description', attrs: {} }] }],
  });
  const groups = getBinaryNodeChild(result, 'groups');
  if (!groups) return [];
  return getBinaryNodeChildren(groups, 'group').map((node) =>
    toGroupMetadata(extractGroupMetadata({ tag: 'result', attrs: {}, content: [node] })),
  );
}

async function metadataOf(sock: WASocket, jid: string): Promise<WaGroupMetadata> {
  return toGroupMetadata(await iq('read', jid, () => sock.groupMetadata(jid)));
}

/** Fails as WhatsApp would (403 not admin) before changing anything, when the number is not an admin. */
function assertAdmin(sock: WASocket, group: WaGroupMetadata, kind: 'admin' | 'edit-info'): void {
  const self = group.participants.find((p) => isMe(sock, p));
  if (!self) throw toGroupError({ data: 403 }, 'read', group.id);
  if (self.admin === null && (kind === 'admin' || group.restrict)) throw toGroupError({ data: 403 }, kind, group.id);
}

/**
 * WhatsApp does not send a group's notifications to the device that made the change, so Baileys reports nothing for
 * our own changes: report them the way it reports everyone else's, so they are stored and reach webhooks alike.
 */
function reportOwn(sock: WASocket): {
  upsert(group: WaGroupMetadata): void;
  update(update: { id: string; subject?: string; desc?: string; announce?: boolean; restrict?: boolean }): void;
  participants(id: string, action: GroupParticipantAction, jids: string[]): void;
} {
  const self = me(sock);
  return {
    upsert: (g) =>
      sock.ev.emit('groups.upsert', [
        {
          id: g.id,
          subject: g.subject,
          desc: g.desc ?? undefined,
          owner: g.owner ?? undefined,
          creation: g.creation ?? undefined,
          announce: g.announce,
          restrict: g.restrict,
          participants: g.participants.map((p) => ({ id: p.id, admin: p.admin })),
          author: self.pn,
        },
      ]),
    update: (u) => sock.ev.emit('groups.update', [{ ...u, author: self.pn }]),
    participants: (id, action, jids) => {
      if (jids.length === 0) return;
      sock.ev.emit('group-participants.update', { id, author: self.pn, participants: jids.map((jid) => ({ id: jid })), action });
    },
  };
}

function participantResult(r: { status: string; jid: string | undefined; content: unknown }, requested: string): WaParticipantResult {
  const status = Number(r.status);
  const content = r.content as { content?: unknown } | undefined;
  const request = Array.isArray(content?.content)
    ? (content.content as Array<{ tag?: string; attrs?: Record<string, string> }>).find((c) => c.tag === 'add_request')
    : undefined;
  const expiration = Number(request?.attrs?.expiration);
  return {
    jid: r.jid ?? requested,
    status: Number.isInteger(status) ? status : 500,
    invite: request?.attrs?.code ? { code: request.attrs.code, expiration: Number.isFinite(expiration) ? expiration : null } : null,
  };
}

/**
 * The group operations (spread into `socketOperations`): create, list, metadata, info and settings, participants,
 * invite links, join, leave, picture. Payloads are JSON; JIDs are already normalised by the caller.
 */
export const groupOperations = {
  'group-create': operation(
    async ({ sock }, p: { subject: string; participants: string[]; description?: string }): Promise<WaGroupMetadata> => {
      const created = toGroupMetadata(await iq('create', '@g.us', () => sock.groupCreate(p.subject, p.participants)));
      if (p.description) {
        await iq('edit-info', created.id, () => sock.groupUpdateDescription(created.id, p.description));
        created.desc = p.description;
      }
      reportOwn(sock).upsert(created);
      return created;
    },
  ),

  'group-list': operation(async ({ sock }, _p: Record<string, never>): Promise<WaGroupMetadata[]> => fetchParticipating(sock)),

  'group-metadata': operation(async ({ sock }, p: { jid: string }): Promise<WaGroupMetadata> => metadataOf(sock, p.jid)),

  /** Subject, description (null removes it) and settings, in that order, after one check that the number may. */
  'group-update': operation(
    async (
      { sock },
      p: { jid: string; subject?: string; description?: string | null; announcement?: boolean; locked?: boolean },
    ): Promise<WaGroupMetadata> => {
      const group = await metadataOf(sock, p.jid);
      const settings = p.announcement !== undefined || p.locked !== undefined;
      assertAdmin(sock, group, settings ? 'admin' : 'edit-info');
      const report = reportOwn(sock);
      if (p.subject !== undefined && p.subject !== group.subject) {
        await iq('edit-info', p.jid, () => sock.groupUpdateSubject(p.jid, p.subject as string));
        report.update({ id: p.jid, subject: p.subject });
      }
      if (p.description !== undefined && (p.description ?? null) !== group.desc) {
        await iq('edit-info', p.jid, () => sock.groupUpdateDescription(p.jid, p.description ?? undefined));
        report.update({ id: p.jid, desc: p.description ?? '' });
      }
      if (p.announcement !== undefined && p.announcement !== group.announce) {
        await iq('admin', p.jid, () => sock.groupSettingUpdate(p.jid, p.announcement ? 'announcement' : 'not_announcement'));
        report.update({ id: p.jid, announce: p.announcement });
      }
      if (p.locked !== undefined && p.locked !== group.restrict) {
        await iq('admin', p.jid, () => sock.groupSettingUpdate(p.jid, p.locked ? 'locked' : 'unlocked'));
        report.update({ id: p.jid, restrict: p.locked });
      }
      return metadataOf(sock, p.jid);
    },
  ),

  /** WhatsApp's answer per participant; the ones it accepted are reported as `group-participants.update`. */
  'group-participants': operation(
    async ({ sock }, p: { jid: string; action: GroupParticipantAction; participants: string[] }): Promise<WaParticipantResult[]> => {
      const answers = await iq('admin', p.jid, () => sock.groupParticipantsUpdate(p.jid, p.participants, p.action));
      const results = answers.map((r, i) => participantResult(r, p.participants[i] ?? ''));
      reportOwn(sock).participants(p.jid, p.action, results.filter((r) => r.status === 200).map((r) => r.jid));
      return results;
    },
  ),

  'group-invite-code': operation(async ({ sock }, p: { jid: string }): Promise<string> => {
    const code = await iq('admin', p.jid, () => sock.groupInviteCode(p.jid));
    if (!code) throw toGroupError({ data: 404 }, 'read', p.jid);
    return code;
  }),

  'group-revoke-invite': operation(async ({ sock }, p: { jid: string }): Promise<string> => {
    const code = await iq('admin', p.jid, () => sock.groupRevokeInvite(p.jid));
    if (!code) throw toGroupError({ data: 404 }, 'read', p.jid);
    return code;
  }),

  /** Joins by invite code; the group is reported as `groups.upsert` (the number was added to it). */
  'group-join': operation(async ({ sock }, p: { code: string }): Promise<WaGroupMetadata> => {
    const jid = await iq('join', 'the invite', () => sock.groupAcceptInvite(p.code));
    if (!jid) throw toGroupError({ data: 406 }, 'join', 'the invite');
    const group = await metadataOf(sock, jid);
    reportOwn(sock).upsert(group);
    return group;
  }),

  /** Leaves the group (404 unknown, 403 not in it), reported as our own `remove`. */
  'group-leave': operation(async ({ sock }, p: { jid: string }): Promise<void> => {
    const group = await metadataOf(sock, p.jid);
    await iq('leave', p.jid, () => sock.groupLeave(p.jid));
    const self = group.participants.find((x) => isMe(sock, x));
    reportOwn(sock).participants(p.jid, 'remove', [self?.id ?? me(sock).pn]);
  }),

  /** The group's picture URL (full size), null when it has none. */
  'group-picture': operation(async ({ sock }, p: { jid: string }): Promise<{ url: string | null }> => {
    await metadataOf(sock, p.jid);
    try {
      return { url: (await iq('picture-read', p.jid, () => sock.profilePictureUrl(p.jid, 'image'))) ?? null };
    } catch (err) {
      if ((err as { code?: unknown }).code === 'group_picture_not_found') return { url: null };
      throw err;
    }
  }),

  /** Sets the group's picture from image bytes (Baileys crops and scales it to WhatsApp's JPEG). */
  'group-set-picture': operation(async ({ sock }, p: { jid: string; imageBase64: string }): Promise<{ url: string | null }> => {
    await iq('edit-info', p.jid, () => sock.updateProfilePicture(p.jid, Buffer.from(p.imageBase64, 'base64')));
    try {
      return { url: (await sock.profilePictureUrl(p.jid, 'image')) ?? null };
    } catch {
      return { url: null };
    }
  }),
};

/**
 * WhatsApp tells a number it was added to a group only as a participants `add` (Baileys emits no `groups.upsert` for
 * it): fetch the group and report it as `groups.upsert`, so the tenant learns of the group and its subject. Our own
 * joins (by invite) are reported by the `group-join` operation.
 */
export function reportGroupsJoined(sock: WASocket, onError: (err: unknown, group: string) => void): void {
  sock.ev.on('group-participants.update', (u) => {
    if (u.action !== 'add') return;
    const self = me(sock);
    if (u.author && jidNormalizedUser(u.author) === self.pn) return; // our own add: the group is known
    const added = u.participants.some((p) => isMe(sock, toGroupParticipant({ ...p, admin: null })));
    if (!added) return;
    sock
      .groupMetadata(u.id)
      .then((g) => reportOwn(sock).upsert(toGroupMetadata(g)))
      .catch((err: unknown) => onError(err, u.id));
  });
}

import { EngineError } from './engine-errors.js';

/** Why WhatsApp refused a group operation; each code maps to one HTTP answer (src/http/domain-errors.ts). */
export type GroupErrorCode =
  | 'group_not_found'
  | 'group_not_admin'
  | 'group_not_participant'
  | 'group_too_large'
  | 'group_full'
  | 'group_invite_not_found'
  | 'group_invite_revoked'
  | 'group_bad_request'
  | 'group_picture_not_found';

/** WhatsApp refused a group operation (an iq error); `code` says why. Crosses the command bus by its code. */
export class GroupOperationError extends EngineError {
  readonly code: GroupErrorCode;
  constructor(code: GroupErrorCode, message: string, readonly iqCode: number | null, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** What each group operation is, for choosing what an iq error code means there. */
export type GroupOperationKind = 'read' | 'admin' | 'edit-info' | 'create' | 'join' | 'leave' | 'picture-read';

/**
 * WhatsApp's iq error code from what Baileys threw: `Boom(text, {data: code})` for a failed iq, or
 * `Boom(text, {statusCode: code, data: <error node>})` from extractGroupMetadata. Null for anything else (a timeout, a
 * closed socket), which is not a group refusal.
 */
export function iqErrorCode(err: unknown): number | null {
  if (typeof err !== 'object' || err === null) return null;
  const data = (err as { data?: unknown }).data;
  if (typeof data === 'number' && Number.isInteger(data)) return data;
  if (typeof data === 'object' && data !== null) {
    const code = Number((data as { attrs?: { code?: unknown } }).attrs?.code);
    if (Number.isInteger(code) && code > 0) return code;
  }
  return null;
}

/** Turns an iq error of a group operation into a GroupOperationError; anything else is returned unchanged. */
export function toGroupError(err: unknown, kind: GroupOperationKind, target: string): unknown {
  const code = iqErrorCode(err);
  if (code === null) return err;
  const fail = (c: GroupErrorCode, message: string) => new GroupOperationError(c, message, code, { cause: err });
  if (kind === 'join') {
    if (code === 406 || code === 404) return fail('group_invite_not_found', 'No group has this invite code');
    if (code === 401 || code === 410) return fail('group_invite_revoked', 'This invite link was revoked');
    if (code === 500 || code === 419) return fail('group_full', 'The group is full');
  }
  if (kind === 'create' && code === 406) return fail('group_too_large', 'Too many participants for one group');
  if (kind === 'picture-read' && code === 404) return fail('group_picture_not_found', `${target} has no picture`);
  if (code === 404) return fail('group_not_found', `Group ${target} not found`);
  if (code === 401 || code === 403) {
    return kind === 'read' || kind === 'leave' || kind === 'picture-read'
      ? fail('group_not_participant', `The number is not a participant of ${target}`)
      : fail('group_not_admin', kind === 'edit-info'
        ? `Only admins may edit the info of ${target} (or the number is not in it)`
        : `The number is not an admin of ${target} (or not in it)`);
  }
  if (code === 400 || code === 406 || code === 409) return fail('group_bad_request', `WhatsApp refused the request (${code})`);
  return err;
}

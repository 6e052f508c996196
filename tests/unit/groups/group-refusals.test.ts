import { GroupOperationError, iqErrorCode, toGroupError } from '../../../src/engine/group-errors.js';
import { RemoteCommandError } from '../../../src/engine/engine-errors.js';
import { mapError } from '../../../src/http/error-mapper.js';
import { toParticipantResultView } from '../../../src/services/groups/group-views.js';

const G = '120363000000000001@g.us';
/** Shaped like Baileys' Boom errors (@hapi/boom is only Baileys' dependency): `data` and `output.statusCode`. */
const boom = (text: string, options: { data?: unknown; statusCode?: number }) =>
  Object.assign(new Error(text), { isBoom: true, data: options.data, output: { statusCode: options.statusCode ?? 500 } });
/** What Baileys throws for a failed iq: Boom(text, {data: code}). */
const iqError = (code: number, text = 'x') => boom(text, { data: code });

describe("WhatsApp's refusals of group operations → the API's errors", () => {
  it("reads WhatsApp's code from both ways Baileys reports it", () => {
    expect(iqErrorCode(iqError(404))).toBe(404);
    expect(iqErrorCode(boom('forbidden', { statusCode: 403, data: { tag: 'error', attrs: { code: '403' } } }))).toBe(403);
    expect(iqErrorCode(boom('Timed Out', { statusCode: 408 }))).toBeNull(); // a timeout is not a refusal
    expect(iqErrorCode(new Error('closed'))).toBeNull();
  });

  it.each([
    [404, 'read', 404, 'GROUP_NOT_FOUND'],
    [404, 'admin', 404, 'GROUP_NOT_FOUND'],
    [403, 'admin', 403, 'NOT_GROUP_ADMIN'],
    [401, 'edit-info', 403, 'NOT_GROUP_ADMIN'],
    [403, 'read', 403, 'NOT_GROUP_PARTICIPANT'],
    [403, 'leave', 403, 'NOT_GROUP_PARTICIPANT'],
    [406, 'create', 400, 'GROUP_TOO_LARGE'],
    [406, 'join', 404, 'INVITE_NOT_FOUND'],
    [401, 'join', 410, 'INVITE_REVOKED'],
    [500, 'join', 409, 'GROUP_FULL'],
    [400, 'admin', 400, 'GROUP_REQUEST_REJECTED'],
  ] as const)('iq %i on a %s operation → HTTP %i %s', (iqCode, kind, status, code) => {
    const err = toGroupError(iqError(iqCode), kind, G);
    expect(err).toBeInstanceOf(GroupOperationError);
    const mapped = mapError(err, 'req_1');
    expect(mapped.status).toBe(status);
    expect(mapped.body.error.code).toBe(code);
    // the same refusal relayed from the owning node over the command bus maps alike
    const relayed = new RemoteCommandError('inst_x', 'group-metadata', (err as GroupOperationError).code, (err as Error).message);
    expect(mapError(relayed, 'req_2')).toMatchObject({ status, body: { error: { code } } });
  });

  it('leaves anything that is not a refusal alone (a timeout stays a 500 with a request id)', () => {
    const timeout = boom('Timed Out', { statusCode: 408 });
    expect(toGroupError(timeout, 'read', G)).toBe(timeout);
    expect(mapError(toGroupError(timeout, 'read', G), 'req_3')).toMatchObject({ status: 500, body: { error: { code: 'INTERNAL_ERROR', requestId: 'req_3' } } });
  });
});

describe('participant results', () => {
  const r = (status: number, invite: { code: string; expiration: number | null } | null = null) => ({ jid: '5511888888888@s.whatsapp.net', status, invite });
  it.each([
    ['add', 200, 'added'], ['add', 409, 'already_in'], ['add', 404, 'not_on_whatsapp'], ['add', 408, 'recently_left'],
    ['add', 500, 'group_full'], ['add', 403, 'not_authorized'], ['remove', 200, 'removed'], ['remove', 404, 'not_in_group'],
    ['remove', 403, 'not_authorized'], ['promote', 409, 'already_admin'], ['demote', 409, 'not_admin'], ['demote', 403, 'not_authorized'],
    ['promote', 418, 'failed'],
  ] as const)('%s answered %i → %s', (action, status, outcome) => {
    expect(toParticipantResultView(action, r(status))).toMatchObject({ status: outcome, code: status, success: status === 200, phone: '+5511888888888' });
  });
  it('a 403 on add with an invite is needs_invite, with the code and its expiry', () => {
    expect(toParticipantResultView('add', r(403, { code: 'ABC', expiration: 1_700_000_000 }))).toEqual({
      jid: '5511888888888@s.whatsapp.net', phone: '+5511888888888', success: false, status: 'needs_invite', code: 403,
      invite: { code: 'ABC', expiresAt: '2023-11-14T22:13:20.000Z' },
    });
  });
});

import type { BinaryNode } from '@whiskeysockets/baileys';
import { pnJid, type LinkedDevice } from '../state/accounts.js';
import { SimulatorError } from '../errors.js';
import { iqAnswers } from '../protocol/iq-answers.js';
import type { GroupActions, ParticipantResult } from './group-actions.js';
import { groupMetadataNode, participantNode } from './group-nodes.js';
import type { Group, GroupSetting, ParticipantAction } from './groups.js';
import { children, findChild } from '../protocol/pairing.js';
import type { SimulatorState } from '../state/simulator-state.js';

const { result, error } = iqAnswers('g.us');

/** WhatsApp's iq error texts by code (Baileys throws `Boom(text, {data: code})`). */
const ERROR_TEXT: Record<number, string> = {
  400: 'bad-request',
  401: 'not-authorized',
  403: 'forbidden',
  404: 'item-not-found',
  406: 'not-acceptable',
  409: 'conflict',
  500: 'internal-server-error',
};

const text = (node: BinaryNode | undefined): string =>
  node?.content instanceof Uint8Array ? Buffer.from(node.content).toString('utf8') : typeof node?.content === 'string' ? node.content : '';

const ACTIONS = new Set<string>(['add', 'remove', 'promote', 'demote']);
const SETTINGS = new Set<string>(['announcement', 'not_announcement', 'locked', 'unlocked']);
/** How long the invite in a 403 `add_request` is valid (WhatsApp: 3 days). */
const ADD_REQUEST_TTL_S = 3 * 24 * 3600;

/**
 * Answers `iq xmlns=w:g2` from the group state: `@g.us` gets participating / create / leave / invite{code}
 * (join or preview), a group jid gets query (metadata), subject, description, settings, invite (get / revoke) and
 * participant changes. Errors are WhatsApp's iq errors.
 */
export function answerGroupIq(state: SimulatorState, actions: GroupActions, device: LinkedDevice, iq: BinaryNode): BinaryNode {
  const first = Array.isArray(iq.content) ? iq.content[0] : undefined;
  const me = device.phone.number;
  const to = iq.attrs.to ?? '';
  try {
    if (to === '@g.us' || to === 'g.us') {
      switch (first?.tag) {
        case 'participating':
          return result(iq, [{ tag: 'groups', attrs: {}, content: state.groups.of(me).map(groupMetadataNode) }]);
        case 'create': {
          const members = children(first, 'participant').map((p) => state.numberOf(p.attrs.jid) ?? userOf(p.attrs.jid));
          const group = actions.create(me, first.attrs.subject ?? '', members.filter((m): m is string => !!m), { except: device });
          return result(iq, [groupMetadataNode(group)]);
        }
        case 'leave':
          for (const g of children(first, 'group')) {
            const group = state.groups.find(g.attrs.id ?? '');
            if (group?.has(me)) actions.changeParticipants(group, me, 'remove', [me], device);
          }
          return result(iq);
        case 'invite': {
          const code = first.attrs.code ?? '';
          if (iq.attrs.type === 'get') return result(iq, [groupMetadataNode(actions.groupForCode(code))]); // groupGetInviteInfo
          const group = actions.join(me, code, device); // groupAcceptInvite
          return result(iq, [{ tag: 'group', attrs: { jid: group.jid } }]);
        }
        default:
          return result(iq);
      }
    }
    const group = state.groups.find(to);
    if (!group) return error(iq, 404, 'item-not-found');
    if (!group.has(me)) return error(iq, 403, 'forbidden');
    return answerForGroup(state, actions, device, group, iq, first);
  } catch (err) {
    if (err instanceof SimulatorError) return error(iq, err.status, ERROR_TEXT[err.status] ?? err.code);
    throw err;
  }
}

function answerForGroup(state: SimulatorState, actions: GroupActions, device: LinkedDevice, group: Group, iq: BinaryNode, first: BinaryNode | undefined): BinaryNode {
  const me = device.phone.number;
  const tag = first?.tag ?? '';
  if (tag === 'query') return result(iq, [groupMetadataNode(group)]);
  if (tag === 'subject') {
    actions.setSubject(group, me, text(first), device);
    return result(iq);
  }
  if (tag === 'description') {
    actions.setDescription(group, me, first?.attrs.delete === 'true' ? undefined : text(findChild(first, 'body')), device);
    return result(iq);
  }
  if (SETTINGS.has(tag)) {
    actions.setSetting(group, me, tag as GroupSetting, device);
    return result(iq);
  }
  if (tag === 'invite') {
    const code = iq.attrs.type === 'get' ? actions.inviteCode(group, me) : actions.revokeInvite(group, me, device);
    return result(iq, [{ tag: 'invite', attrs: { code } }]);
  }
  if (ACTIONS.has(tag)) {
    const jids = children(first, 'participant').map((p) => p.attrs.jid ?? '');
    const numbers = jids.map((jid) => state.numberOf(jid) ?? userOf(jid) ?? jid);
    const results = actions.updateParticipants(group, me, tag as ParticipantAction, numbers, device);
    const byPhone = new Map(results.map((r) => [r.phone, r]));
    const content = numbers.map((n, i) => participantResultNode(group, byPhone.get(n) ?? { phone: n, status: 404 }, jids[i]!));
    return result(iq, [{ tag, attrs: {}, content }]);
  }
  return result(iq);
}

/** `participant{jid[, error]}`; a 403 carries `add_request{code, expiration}` for the invite the admin may send. */
function participantResultNode(group: Group, r: ParticipantResult, requestedJid: string): BinaryNode {
  if (r.status === 200) return participantNode({ phone: r.phone, role: group.members.get(r.phone)?.role ?? null });
  const attrs = { jid: /^\d+$/.test(r.phone) ? pnJid(r.phone) : requestedJid, error: String(r.status) };
  if (r.status !== 403 || !r.inviteCode) return { tag: 'participant', attrs };
  const expiration = String(Math.floor(Date.now() / 1000) + ADD_REQUEST_TTL_S);
  return { tag: 'participant', attrs, content: [{ tag: 'add_request', attrs: { code: r.inviteCode, expiration } }] };
}

/** The user part of a jid (a number the simulator may not know). */
function userOf(jid: string | undefined): string | undefined {
  const user = jid?.split('@')[0]?.split(':')[0];
  return user && /^\d+$/.test(user) ? user : undefined;
}

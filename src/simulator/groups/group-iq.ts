import { jidDecode, type BinaryNode } from '@whiskeysockets/baileys';
import type { LinkedDevice } from '../state/accounts.js';
import { SimulatorError } from '../errors.js';
import { iqAnswers } from '../protocol/iq-answers.js';
import type { GroupActions } from './group-actions.js';
import { groupMetadataNode, participantNode } from './group-nodes.js';
import type { Group, ParticipantAction } from './groups.js';
import { children, findChild } from '../protocol/pairing.js';
import type { SimulatorState } from '../state/simulator-state.js';

const { result, error } = iqAnswers('g.us');

const text = (node: BinaryNode | undefined): string =>
  node?.content instanceof Uint8Array ? Buffer.from(node.content).toString('utf8') : typeof node?.content === 'string' ? node.content : '';

const ACTIONS = new Set<string>(['add', 'remove', 'promote', 'demote']);

/**
 * Answers `iq xmlns=w:g2` from the group state: `@g.us` gets participating / create / leave, a group jid
 * gets query (metadata), subject, description and participant changes. Errors are WhatsApp's iq errors.
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
          const members = children(first, 'participant').map((p) => numberOf(state, p.attrs.jid));
          const group = actions.create(me, first.attrs.subject ?? '', members.filter((m): m is string => !!m), { except: device });
          return result(iq, [groupMetadataNode(group)]);
        }
        case 'leave':
          for (const g of children(first, 'group')) {
            const group = state.groups.find(g.attrs.id ?? '');
            if (group?.has(me)) actions.changeParticipants(group, me, 'remove', [me], device);
          }
          return result(iq);
        default:
          return result(iq);
      }
    }
    const group = state.groups.find(to);
    if (!group) return error(iq, 404, 'item-not-found');
    if (!group.has(me)) return error(iq, 403, 'forbidden');
    return answerForGroup(state, actions, device, group, iq, first);
  } catch (err) {
    if (err instanceof SimulatorError) return error(iq, err.status, err.code);
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
  if (ACTIONS.has(tag)) {
    const jids = children(first, 'participant').map((p) => p.attrs.jid ?? '');
    const numbers = jids.map((jid) => numberOf(state, jid));
    const changed = new Set(actions.changeParticipants(group, me, tag as ParticipantAction, numbers.filter((n): n is string => !!n), device));
    const content = numbers.map((n, i) =>
      n && changed.has(n) ? participantNode({ phone: n, role: group.members.get(n)?.role ?? null }) : { tag: 'participant', attrs: { jid: jids[i]!, error: n ? '409' : '404' } },
    );
    return result(iq, [{ tag, attrs: {}, content }]);
  }
  return result(iq);
}

/** The phone number behind a PN or LID jid, if the simulator knows the account. */
function numberOf(state: SimulatorState, jid: string | undefined): string | undefined {
  const decoded = jid ? jidDecode(jid) : undefined;
  if (!decoded?.user) return undefined;
  const account = state.resolve(decoded.user, decoded.server);
  if (!account) return undefined;
  return account.kind === 'contact' ? account.contact.phone : account.phone.number;
}

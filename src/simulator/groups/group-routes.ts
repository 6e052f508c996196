import { parse, type Route } from '../control/control-router.js';
import type { GroupControl } from './group-control.js';
import { createGroupBody, groupByBody, groupMessageBody, groupParticipantsBody, groupPictureBody, joinGroupBody, updateGroupBody } from './group-schemas.js';

/** A group in a path: `120363…@g.us` (`@` raw or %40) or the bare id. */
const G = String.raw`\/control\/groups\/([\d-]+)(?:@g\.us|%40g\.us)?`;

/** The control API's group routes (see README.md). */
export function groupRoutes(groups: GroupControl): Route[] {
  return [
    { method: 'POST', pattern: /^\/control\/groups$/, handler: (_, b) => groups.create(parse(createGroupBody, b)) },
    { method: 'GET', pattern: /^\/control\/groups$/, handler: () => groups.list() },
    { method: 'POST', pattern: /^\/control\/groups\/join$/, handler: (_, b) => groups.join(parse(joinGroupBody, b)) },
    { method: 'GET', pattern: new RegExp(`^${G}$`), handler: ([id]) => groups.get(id!) },
    { method: 'PATCH', pattern: new RegExp(`^${G}$`), handler: ([id], b) => groups.update(id!, parse(updateGroupBody, b)) },
    { method: 'POST', pattern: new RegExp(`^${G}\\/participants$`), handler: ([id], b) => groups.participants(id!, parse(groupParticipantsBody, b)) },
    { method: 'POST', pattern: new RegExp(`^${G}\\/messages$`), handler: ([id], b) => groups.send(id!, parse(groupMessageBody, b)) },
    { method: 'POST', pattern: new RegExp(`^${G}\\/invite-code\\/revoke$`), handler: ([id], b) => groups.revokeInvite(id!, parse(groupByBody, b).by) },
    { method: 'PUT', pattern: new RegExp(`^${G}\\/picture$`), handler: ([id], b) => groups.setPicture(id!, parse(groupPictureBody, b)) },
  ];
}

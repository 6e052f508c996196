import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse, type Route } from '../control/control-router.js';
import type { SimulatorState } from '../state/simulator-state.js';
import type { ProfileControl } from './profile-control.js';
import { blocklistBody, contactProfileBody } from './profile-schemas.js';

/** The control API's profile routes (see README.md). */
export function profileRoutes(profiles: ProfileControl): Route[] {
  return [
    { method: 'GET', pattern: /^\/control\/profiles\/(\d+)$/, handler: ([n]) => profiles.view(n!) },
    { method: 'PUT', pattern: /^\/control\/contacts\/(\d+)\/profile$/, handler: ([n], b) => profiles.updateContact(n!, parse(contactProfileBody, b)) },
    { method: 'POST', pattern: /^\/control\/phones\/(\d+)\/blocklist$/, handler: ([n], b) => profiles.block(n!, parse(blocklistBody, b)) },
  ];
}

/** `GET /pictures/{id}.jpg`: the picture URLs profilePictureUrl returns (WhatsApp serves them from its CDN). */
export function servePicture(state: SimulatorState, req: IncomingMessage, res: ServerResponse): void {
  const id = /^\/pictures\/(\d+)\.jpg$/.exec(new URL(req.url ?? '/', 'http://sim').pathname)?.[1];
  const picture = req.method === 'GET' && id ? state.profiles.picture(id) : undefined;
  if (!picture) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': picture.jpeg.length }).end(picture.jpeg);
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { z, type ZodType } from 'zod';
import {
  addressingBody,
  createContactBody,
  lidAnnouncementBody,
  faultsBody,
  historyBody,
  inboxQuery,
  kickBody,
  linkCodeBody,
  presenceBody,
  receiptsBody,
  revokeBody,
  scanBody,
  sendMessageBody,
  updateContactBody,
} from './control-schemas.js';
import { SimulatorError } from '../errors.js';
import type { SimulatorControl } from './simulator-control.js';

type Handler = (params: string[], body: unknown, query: URLSearchParams) => unknown;
export interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

const MAX_BODY = 64 * 1024 * 1024;

export function parse<T>(schema: ZodType<T>, body: unknown, what = 'request body'): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new SimulatorError('validation_failed', 400, `invalid ${what}`, z.treeifyError(result.error));
  }
  return result.data;
}

/** The control API: JSON over HTTP, `{ success: false, error: { code, message, details? } }` on errors. */
export function createControlRouter(control: SimulatorControl, logger: Logger, extraRoutes: Route[] = []) {
  const p = '/control';
  const routes: Route[] = [
    { method: 'POST', pattern: /^\/control\/scan$/, handler: (_, b) => { const x = parse(scanBody, b); return control.scan(x.qr, x.phone, x.name); } },
    { method: 'POST', pattern: /^\/control\/contacts$/, handler: (_, b) => { const x = parse(createContactBody, b); return control.createContact(x.phone, x.name); } },
    { method: 'PATCH', pattern: /^\/control\/contacts\/(\d+)$/, handler: ([n], b) => control.updateContact(n!, parse(updateContactBody, b).name) },
    { method: 'POST', pattern: /^\/control\/contacts\/(\d+)\/messages$/, handler: ([n], b) => control.sendFromContact(n!, parse(sendMessageBody, b)) },
    { method: 'GET', pattern: /^\/control\/contacts\/(\d+)\/inbox$/, handler: ([n], _, q) => control.inbox(n!, parse(inboxQuery, Object.fromEntries(q), 'query').after) },
    { method: 'GET', pattern: /^\/control\/contacts\/(\d+)\/receipts$/, handler: ([n]) => control.receiptsIn(n!) },
    { method: 'GET', pattern: /^\/control\/contacts\/(\d+)\/presence$/, handler: ([n]) => control.presenceIn(n!) },
    {
      method: 'POST',
      pattern: /^\/control\/contacts\/(\d+)\/receipts$/,
      handler: ([n], b) => { const x = parse(receiptsBody, b); return control.receipts(n!, x.to, x.ids, x.type, x.addressing); },
    },
    { method: 'POST', pattern: /^\/control\/contacts\/(\d+)\/presence$/, handler: ([n], b) => { const x = parse(presenceBody, b); return control.presence(n!, x.to, x.state); } },
    { method: 'POST', pattern: /^\/control\/contacts\/(\d+)\/addressing$/, handler: ([n], b) => control.setAddressing(n!, parse(addressingBody, b).mode) },
    { method: 'POST', pattern: /^\/control\/contacts\/(\d+)\/lid-announcements$/, handler: ([n], b) => control.announceLid(n!, parse(lidAnnouncementBody, b).to) },
    { method: 'POST', pattern: /^\/control\/contacts\/(\d+)\/revoke$/, handler: ([n], b) => { const x = parse(revokeBody, b); return control.revoke(n!, x.to, x.id, x.addressing); } },
    { method: 'POST', pattern: /^\/control\/phones\/(\d+)\/link-code$/, handler: ([n], b) => { const x = parse(linkCodeBody, b); return control.linkCode(n!, x.code, x.name); } },
    { method: 'POST', pattern: /^\/control\/phones\/(\d+)\/history$/, handler: ([n], b) => control.history(n!, parse(historyBody, b)) },
    { method: 'POST', pattern: /^\/control\/phones\/(\d+)\/kick$/, handler: ([n], b) => control.kick(n!, parse(kickBody, b).reason) },
    { method: 'POST', pattern: /^\/control\/phones\/(\d+)\/faults$/, handler: ([n], b) => control.faults(n!, parse(faultsBody, b)) },
    { method: 'POST', pattern: /^\/control\/phones\/(\d+)\/unban$/, handler: ([n]) => control.unban(n!) },
    { method: 'GET', pattern: /^\/control\/phones\/(\d+)\/sent$/, handler: ([n]) => control.phoneSent(n!) },
    { method: 'GET', pattern: /^\/control\/phones\/(\d+)\/presence$/, handler: ([n]) => control.phonePresence(n!) },
    { method: 'GET', pattern: /^\/control\/state$/, handler: () => control.state() },
    ...extraRoutes,
  ];

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const send = (status: number, payload: unknown): void => {
      const body = JSON.stringify(payload);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    try {
      if (!url.pathname.startsWith(p)) throw new SimulatorError('not_found', 404, `no route ${req.method} ${url.pathname}`);
      const pathMatches = routes.filter((r) => r.pattern.test(url.pathname));
      const route = pathMatches.find((r) => r.method === req.method);
      if (!route) {
        throw pathMatches.length
          ? new SimulatorError('method_not_allowed', 405, `${req.method} not allowed on ${url.pathname}`)
          : new SimulatorError('not_found', 404, `no route ${req.method} ${url.pathname}`);
      }
      const params = route.pattern.exec(url.pathname)!.slice(1);
      const body = req.method === 'GET' ? undefined : await readJson(req);
      const result = await route.handler(params, body, url.searchParams);
      send(200, result);
    } catch (err) {
      if (err instanceof SimulatorError) {
        send(err.status, { success: false, error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } });
      } else {
        logger.error({ err, path: url.pathname }, 'control API error');
        send(500, { success: false, error: { code: 'internal', message: 'internal simulator error' } });
      }
    }
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new SimulatorError('payload_too_large', 413, 'body too large');
    chunks.push(chunk as Buffer);
  }
  if (!size) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new SimulatorError('invalid_json', 400, 'body is not valid JSON');
  }
}

import { jest } from '@jest/globals';
import request from 'supertest';
import { startEngineApp, type EngineApp } from '../../support/engine-app.js';
import { createInstance, signup, type SignedUp } from '../../support/factories.js';
import { messagingEnv } from '../../support/messaging.js';
import { zapiClient, zapiInstance, type ZapiClient } from '../zapi/zapi-fixtures.js';

/**
 * Issue 16 item 5: a table of hostile strings over every documented route's body, path parameters and query.
 * Never a 500; strings that cannot be stored (NUL, lone surrogates) are a 4xx and leave no row behind.
 */
jest.setTimeout(300_000);

/** Cannot be stored: every route must refuse them with a 4xx, storing nothing. */
const UNSTORABLE = ['a\u0000b', '\u0000', 'x\uD800y', '\uDFFF', 'end\uDBFF'];
/** Odd but storable: any 2xx/4xx answer is fine, never a 500. */
const ODD = [
  '',
  ' ',
  'x'.repeat(10_000),
  '../../../../etc/passwd',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '\u202Egnp.exe',
  '😀'.repeat(50),
  '{"$gt":""}',
  '1e309',
  '-1',
  '0x10',
  'NaN',
  '%00',
  '\r\nX-Injected: 1',
];
/** Raw path segments (already percent-encoded): NUL, an encoded surrogate, broken escapes. */
const PATH_SEGMENTS = ['%00', 'a%00b', '%ED%A0%80', '%E0%A4%A', '%zz', '%', '..%2F..%2Fetc', 'x'.repeat(2000), '%F0%9F%98%80'];

interface Operation {
  method: 'get' | 'post' | 'put' | 'delete' | 'patch';
  path: string;
  params: string[];
  query: string[];
  bodyFields: string[];
  multipart: boolean;
}

let e: EngineApp;
let owner: SignedUp;
let instanceId: string;
let zapi: ZapiClient;
let zapiUuid: string;
let operations: Operation[];

beforeAll(async () => {
  e = await startEngineApp({ env: messagingEnv() });
  owner = await signup(e.app);
  ({ instanceId } = await createInstance(e.app, owner.cookie));
  zapi = await zapiClient(e.app);
  zapiUuid = (await zapiInstance(e.app, zapi)).uuid;
  const doc = (await request(e.app).get('/openapi.json')).body as {
    paths: Record<string, Record<string, { parameters?: { name: string; in: string }[]; requestBody?: { content: Record<string, { schema: unknown }> } }>>;
    components?: { schemas?: Record<string, unknown> };
  };
  const resolve = (schema: unknown): { properties?: Record<string, unknown> } => {
    const ref = (schema as { $ref?: string } | undefined)?.$ref;
    if (ref) return resolve(doc.components?.schemas?.[ref.split('/').pop() ?? '']);
    const all = (schema as { allOf?: unknown[] } | undefined)?.allOf;
    if (all) return { properties: Object.assign({}, ...all.map((s) => resolve(s).properties ?? {})) as Record<string, unknown> };
    return (schema ?? {}) as { properties?: Record<string, unknown> };
  };
  operations = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const content = op.requestBody?.content ?? {};
      const json = content['application/json']?.schema ?? content['multipart/form-data']?.schema;
      operations.push({
        method: method as Operation['method'],
        path,
        params: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        bodyFields: Object.keys(resolve(json).properties ?? {}),
        multipart: content['application/json'] === undefined && content['multipart/form-data'] !== undefined,
      });
    }
  }
});
afterAll(async () => {
  await e?.close();
});

/** Requests that would end the test's own session or remove its fixtures: left out (their inputs are fuzzed elsewhere). */
const skip = (op: Operation) => (op.method === 'delete' && (op.path === '/auth/sessions' || op.params.length > 0)) || op.path === '/metrics';

function validParam(name: string): string {
  if (name === 'instanceId') return instanceId;
  if (name === 'uuid' || name === 'instancia_uuid') return zapiUuid;
  if (name === 'pagina') return '1';
  return 'x1';
}

function send(op: Operation, path: string, query: Record<string, string>, body: Record<string, string> | undefined): request.Test {
  let req = request(e.app)[op.method](path).query(query);
  req = op.path.startsWith('/api/') ? req.set(zapi.headers) : req.set('Cookie', owner.cookie);
  if (body === undefined) return req;
  if (op.multipart) {
    for (const [k, v] of Object.entries(body)) req = req.field(k, v);
    return req;
  }
  return req.send(body);
}

const tables = ['tenants', 'users', 'instances', 'api_keys', 'messages', 'chats', 'contacts', 'idempotency_keys'] // not webhook_events: the engine appends connection events on its own;
async function rowCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const rows = (await e.db.dataSource.query(`SELECT count(*)::int AS n FROM "${table}"`)) as { n: number }[];
    counts[table] = rows[0]?.n ?? 0;
  }
  return counts;
}

async function fuzz(strings: string[], expectClientError: boolean): Promise<string[]> {
  const failures: string[] = [];
  for (const op of operations.filter((o) => !skip(o))) {
    const validPath = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(validParam(name)));
    for (const hostile of strings) {
      const variants: { label: string; res: Promise<request.Response> }[] = [];
      if (op.bodyFields.length > 0) {
        const body = Object.fromEntries(op.bodyFields.map((f) => [f, hostile]));
        variants.push({ label: 'body', res: send(op, validPath, {}, body) });
      }
      for (const q of op.query) variants.push({ label: `query ${q}`, res: send(op, validPath, { [q]: hostile }, undefined) });
      for (const param of op.params) {
        const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
          name === param ? encodeURIComponent(hostile.replace(/[\uD800-\uDFFF]/g, '\uFFFD')).replace(/%EF%BF%BD/g, '%ED%A0%80') : encodeURIComponent(validParam(name)),
        );
        variants.push({ label: `param ${param}`, res: send(op, path, {}, op.bodyFields.length > 0 ? {} : undefined) });
      }
      for (const v of variants) {
        const res = await v.res;
        const bad = res.status >= 500 || (expectClientError && res.status < 400 && mustRefuse(v.label, hostile));
        if (bad) failures.push(`${op.method.toUpperCase()} ${op.path} ${v.label} ${JSON.stringify(hostile).slice(0, 30)} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      }
    }
  }
  return failures;
}

/**
 * Whether the server received the string as unstorable. Body and path parameters do (a path carries a lone
 * surrogate as its invalid UTF-8 encoding); a query string cannot carry a lone surrogate at all (the client encodes
 * it as U+FFFD), so there only the NUL must be refused.
 */
const mustRefuse = (label: string, hostile: string) => !(label.startsWith('query') && !hostile.includes('\u0000'));

describe('hostile strings over every route', () => {
  it('NUL and lone surrogates: a 4xx everywhere, and no row stored', async () => {
    expect(operations.length).toBeGreaterThan(30); // the document lists every route
    const before = await rowCounts();
    const failures = await fuzz(UNSTORABLE, true);
    expect(failures).toEqual([]);
    expect(await rowCounts()).toEqual(before);
  });

  it('odd strings: never a 500', async () => {
    expect(await fuzz(ODD, false)).toEqual([]);
  });

  it('odd path segments: never a 500', async () => {
    const failures: string[] = [];
    for (const op of operations.filter((o) => !skip(o) && o.params.length > 0)) {
      for (const segment of PATH_SEGMENTS) {
        for (const param of op.params) {
          const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === param ? segment : encodeURIComponent(validParam(name))));
          const res = await send(op, path, {}, op.bodyFields.length > 0 ? {} : undefined);
          if (res.status >= 500) failures.push(`${op.method.toUpperCase()} ${path} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

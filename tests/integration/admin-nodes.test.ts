/** GET /admin/nodes: instances by the node holding their socket lease, counts by status, connections in the last hour. */
import request from 'supertest';
import { createTestApp, type TestApp } from '../support/app.js';
import { createInstance, login, signup } from '../support/factories.js';

let t: TestApp;
let admin: string;

beforeAll(async () => {
  t = await createTestApp();
  await t.services.admin.ensurePlatformAdmin('nodes-admin@zap.example.com', 'admin password 1');
  admin = await login(t.app, 'nodes-admin@zap.example.com', 'admin password 1');
});
afterAll(async () => {
  await t.close();
});

interface NodeView {
  nodeId: string | null;
  instanceCount: number;
  byStatus: Record<string, number>;
  connectedLastHour: number;
  instances: Array<{ id: string; tenantId: string; status: string; connectedLastHour: number }>;
}

test('groups instances by lease holder (held by no node last) with counts by status and recent connections', async () => {
  const a = await signup(t.app);
  const b = await signup(t.app);
  const one = await createInstance(t.app, a.cookie);
  const two = await createInstance(t.app, b.cookie);
  // The engine's lease keys, as a node running these sockets writes them (no engine runs in this app).
  await t.redis.redis.set(`${t.redis.prefix}:lease:${one.instanceId}`, 'node-a', 'PX', 60_000);
  const events = t.services.repositories.webhookEvents;
  await events.append({ instanceId: one.instanceId, event: 'connection.update', data: { status: 'connected', reason: 'connected', phone: '+5511999990000' } });
  await events.append({ instanceId: one.instanceId, event: 'connection.update', data: { status: 'disconnected', reason: 'restarting', phone: null } });
  await events.append({ instanceId: one.instanceId, event: 'connection.update', data: { status: 'connected', reason: 'connected', phone: '+5511999990000' } });
  await events.append({ instanceId: one.instanceId, event: 'messages.upsert', data: { status: 'connected' } });

  const res = await request(t.app).get('/admin/nodes').set('Cookie', admin);
  expect(res.status).toBe(200);
  const nodes = res.body.data as NodeView[];
  const nodeA = nodes.find((n) => n.nodeId === 'node-a');
  expect(nodeA).toMatchObject({ instanceCount: 1, connectedLastHour: 2, byStatus: { created: 1, qr: 0, connected: 0, disconnected: 0, banned: 0 } });
  expect(nodeA!.instances).toEqual([expect.objectContaining({ id: one.instanceId, tenantId: a.tenantId, status: 'created', connectedLastHour: 2 })]);
  const none = nodes.at(-1)!;
  expect(none.nodeId).toBeNull();
  expect(none.instances.map((i) => i.id)).toContain(two.instanceId);
  expect(none.instances.find((i) => i.id === two.instanceId)?.connectedLastHour).toBe(0);
});

test('counts only the last hour', async () => {
  const a = await signup(t.app);
  const { instanceId } = await createInstance(t.app, a.cookie);
  const appended = await t.services.repositories.webhookEvents.append({ instanceId, event: 'connection.update', data: { status: 'connected' } });
  await t.db.dataSource.query(`UPDATE "webhook_events" SET "created_at" = now() - interval '61 minutes' WHERE "id" = $1`, [appended.event.id]);
  const nodes = (await request(t.app).get('/admin/nodes').set('Cookie', admin)).body.data as NodeView[];
  const row = nodes.flatMap((n) => n.instances).find((i) => i.id === instanceId);
  expect(row?.connectedLastHour).toBe(0);
});

test('is for platform admins only: 401 without a session, 403 for a tenant owner', async () => {
  const owner = await signup(t.app);
  expect((await request(t.app).get('/admin/nodes')).status).toBe(401);
  const res = await request(t.app).get('/admin/nodes').set('Cookie', owner.cookie);
  expect(res.status).toBe(403);
  expect(res.body.error.code).toBe('FORBIDDEN');
});

test('takes no query (unknown fields and NUL bytes are a 400) and is in the OpenAPI document', async () => {
  for (const query of ['x=%00', 'status=connected']) {
    const res = await request(t.app).get(`/admin/nodes?${query}`).set('Cookie', admin);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  }
  const doc = (await request(t.app).get('/openapi.json')).body as { paths: Record<string, unknown> };
  expect(doc.paths['/admin/nodes']).toBeDefined();
});

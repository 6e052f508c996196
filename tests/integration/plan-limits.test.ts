import request from 'supertest';
import { createTestApp, type TestApp } from '../support/app.js';
import { createInstance, signup } from '../support/factories.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

async function countInstances(cookie: string): Promise<number> {
  const res = await request(t.app).get('/whatsapp/instances').set('Cookie', cookie);
  return (res.body.data as unknown[]).length;
}

describe('plan limits', () => {
  it.each([
    ['starter', 1],
    ['pro', 5],
    ['enterprise', 50],
  ] as const)('%s allows %i instance(s), then 403 PLAN_LIMIT_REACHED', async (plan, limit) => {
    const who = await signup(t.app);
    await t.services.repositories.tenants.updatePlan(who.tenantId, plan);
    for (let i = 0; i < limit; i++) await createInstance(t.app, who.cookie);
    const res = await request(t.app).post('/whatsapp/instances').set('Cookie', who.cookie).send({ name: 'One too many' });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      success: false,
      error: { code: 'PLAN_LIMIT_REACHED', message: expect.stringContaining(plan), details: { plan, limit } },
    });
    expect(await countInstances(who.cookie)).toBe(limit);
  });

  it('holds under 20 concurrent creates on a starter tenant: exactly one is created', async () => {
    const who = await signup(t.app);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request(t.app).post('/whatsapp/instances').set('Cookie', who.cookie).send({ name: `Parallel ${i}` }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 403)).toHaveLength(19);
    expect(await countInstances(who.cookie)).toBe(1);
  });

  it('holds under concurrency on pro too (20 creates leave 5)', async () => {
    const who = await signup(t.app);
    await t.services.repositories.tenants.updatePlan(who.tenantId, 'pro');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request(t.app).post('/whatsapp/instances').set('Cookie', who.cookie).send({ name: `Parallel ${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(5);
    expect(await countInstances(who.cookie)).toBe(5);
  });

  it("one tenant's instances do not count against another's", async () => {
    const a = await signup(t.app);
    const b = await signup(t.app);
    await createInstance(t.app, a.cookie);
    await createInstance(t.app, b.cookie);
  });
});

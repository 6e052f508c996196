/**
 * What a client of the engine does over HTTP in the benchmarks: sign up and log in a tenant, create and pair an
 * instance (its QR scanned by a simulated phone through the control API), send texts. Answers are checked with zod.
 */
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { z } from 'zod';
import type { ControlClient } from '../../src/simulator/control/control-client.js';

const instanceCreated = z.object({ data: z.object({ instanceId: z.string() }) });
const instanceView = z.object({
  data: z.object({ status: z.string(), statusReason: z.string().nullable(), qrCode: z.object({ code: z.string() }).optional() }),
});
type InstanceView = z.infer<typeof instanceView>['data'];

export class EngineClient {
  /**
   * Sends go over node:http with kept-alive connections: the load generator shares the two cores with the product,
   * and `fetch` (undici) cost it about 1 ms of CPU per request, more than the sends' HTTP handling in the engine.
   */
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });

  constructor(readonly baseUrl: string) {}

  /** Closes the kept-alive connections of the sends. */
  close(): void {
    this.agent.destroy();
  }

  /** Signs a new tenant up, then logs in as a client would; returns the session cookie (`auth-session=...`). */
  async tenant(name: string): Promise<string> {
    const credentials = { email: `bench-${randomBytes(5).toString('hex')}@example.com`, password: 'correct horse battery' };
    await this.call('POST', '/auth/signup', null, { ...credentials, tenantName: name }, 201);
    const res = await this.call('POST', '/auth/sessions', null, credentials, 200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('auth-session='));
    if (!cookie) throw new Error('login answered without an auth-session cookie');
    return cookie.split(';')[0]!;
  }

  /** Logs in with existing credentials (e.g. the platform admin of ADMIN_EMAIL/ADMIN_PASSWORD); returns the cookie. */
  async login(email: string, password: string): Promise<string> {
    const res = await this.call('POST', '/auth/sessions', null, { email, password }, 200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('auth-session='));
    if (!cookie) throw new Error('login answered without an auth-session cookie');
    return cookie.split(';')[0]!;
  }

  /** As the platform admin: puts the tenant named `tenantName` on `plan` (enterprise: 50 instances). */
  async setPlan(adminCookie: string, tenantName: string, plan: 'starter' | 'pro' | 'enterprise'): Promise<void> {
    const res = await this.call('GET', '/admin/tenants', adminCookie, undefined, 200);
    const tenants = z.object({ data: z.array(z.object({ id: z.string(), name: z.string() })) }).parse(await res.json()).data;
    const tenant = tenants.find((t) => t.name === tenantName);
    if (!tenant) throw new Error(`no tenant named ${tenantName}`);
    await (await this.call('PATCH', `/admin/tenants/${tenant.id}`, adminCookie, { plan }, 200)).arrayBuffer();
  }

  async createInstance(cookie: string, body: { name: string; webhookUrl?: string; webhookEvents?: string[] }): Promise<string> {
    const res = await this.call('POST', '/whatsapp/instances', cookie, body, 201);
    return instanceCreated.parse(await res.json()).data.instanceId;
  }

  async instance(cookie: string, instanceId: string): Promise<InstanceView> {
    const res = await this.call('GET', `/whatsapp/instances/${instanceId}`, cookie, undefined, 200);
    return instanceView.parse(await res.json()).data;
  }

  /** Waits for the instance's QR, lets the simulated `phone` scan it, waits until the instance is connected. */
  async pair(cookie: string, instanceId: string, control: ControlClient, phone: string): Promise<void> {
    const qr = await this.waitFor(cookie, instanceId, (i) => i.status === 'qr' && Boolean(i.qrCode), 20_000);
    await control.scan(qr.qrCode!.code, phone, 'Bench phone');
    await this.waitFor(cookie, instanceId, (i) => i.status === 'connected', 30_000);
  }

  /** POST send-text; resolves when the engine accepted it (202), with the server's own time (Server-Timing, ms). */
  async sendText(cookie: string, instanceId: string, to: string, message: string): Promise<{ serverMs: number }> {
    const path = `/whatsapp/instances/${instanceId}/send-text`;
    const body = Buffer.from(JSON.stringify({ to, message }));
    const { status, headers, text } = await new Promise<{ status: number; headers: Record<string, unknown>; text: string }>((resolve, reject) => {
      const req = request(
        `${this.baseUrl}${path}`,
        { method: 'POST', agent: this.agent, headers: { cookie, 'content-type': 'application/json', 'content-length': body.length } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    if (status !== 202) throw new Error(`POST ${path}: ${status} ${text}`);
    const timing = typeof headers['server-timing'] === 'string' ? headers['server-timing'] : '';
    return { serverMs: Number(/app;dur=([\d.]+)/.exec(timing)?.[1] ?? NaN) };
  }

  private async waitFor(cookie: string, instanceId: string, predicate: (i: InstanceView) => boolean, timeoutMs: number): Promise<InstanceView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = await this.instance(cookie, instanceId);
      if (predicate(view)) return view;
      if (Date.now() > deadline) throw new Error(`instance ${instanceId} stuck in ${view.status}/${view.statusReason}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private async call(method: string, path: string, cookie: string | null, body: unknown, expected: number): Promise<Response> {
    const headers: Record<string, string> = {};
    if (cookie) headers.cookie = cookie;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status !== expected) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res;
  }
}

import sharp from 'sharp';
import request from 'supertest';
import { createInstance, signup, type SignedUp } from '../support/factories.js';
import { freshPhone, startEngineApp, type EngineApp } from '../support/engine-app.js';

// MEDIA_ALLOW_PRIVATE_URLS: the simulator serves pictures on 127.0.0.1; the metadata address stays refused.
let e: EngineApp;
let owner: SignedUp;
let stranger: SignedUp;
let instanceId: string;
let phone: string;
const DORA = freshPhone();
const GINA = freshPhone();
const HUGO = freshPhone();
const jid = (n: string) => `${n}@s.whatsapp.net`;
const jpeg = (color: string) => sharp({ create: { width: 64, height: 64, channels: 3, background: color } }).jpeg().toBuffer();

beforeAll(async () => {
  e = await startEngineApp({ env: { MEDIA_ALLOW_PRIVATE_URLS: 'true' } });
  owner = await signup(e.app);
  stranger = await signup(e.app);
  await e.control.createContact(DORA, 'Dora');
  await e.control.createContact(GINA, 'Gina');
  await e.control.createContact(HUGO, 'Hugo');
  ({ instanceId } = await createInstance(e.app, owner.cookie));
  ({ phone } = await e.pair(owner.cookie, instanceId));
});
afterAll(async () => {
  await e?.close();
});

const api = (method: 'get' | 'post' | 'put', path: string, cookie = owner.cookie, id = instanceId) =>
  request(e.app)[method](`/whatsapp/instances/${id}${path}`).set('Cookie', cookie);

async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('presence, profiles and the blocklist over HTTP (real engine, simulator)', () => {
  it('presence: typing, recording and paused reach the contact; online needs a profile name first', async () => {
    for (const state of ['composing', 'recording', 'paused']) {
      const res = await api('post', '/presence').send({ to: `+${DORA}`, state });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ to: jid(DORA), state });
    }
    await eventually(async () =>
      expect((await e.control.presenceReceived(DORA)).map((p) => [p.from, p.state])).toEqual([
        [phone, 'composing'],
        [phone, 'recording'],
        [phone, 'paused'],
      ]),
    );

    const nameless = await api('post', '/presence').send({ to: DORA, state: 'available' });
    expect(nameless.status).toBe(409);
    expect(nameless.body.error.code).toBe('PROFILE_NAME_REQUIRED');

    const named = await api('put', '/profile').send({ name: 'Alice Store' });
    expect(named.status).toBe(200);
    expect(named.body.data.name).toBe('Alice Store');
    await eventually(async () => expect((await e.control.profile(phone)).name).toBe('Alice Store'));

    expect((await api('post', '/presence').send({ to: DORA, state: 'available' })).status).toBe(200);
    await eventually(async () => expect((await e.control.phonePresence(phone)).state).toBe('available'));
  });

  it("presence/subscribe: the contact's presence arrives as presence.update events (stored for webhooks)", async () => {
    const mark = await e.lastSequence(instanceId);
    await e.control.presence(DORA, phone, 'available');
    const res = await api('post', '/presence/subscribe').send({ to: DORA });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ to: jid(DORA), subscribed: true });
    await eventually(async () => expect((await e.control.phonePresence(phone)).subscribedTo).toEqual([DORA]));
    expect((await e.control.presence(DORA, phone, 'unavailable')).delivered).toBe(1);

    const presences = await eventually(async () => {
      const rows = await e.services.repositories.webhookEvents.listAfter(instanceId, mark, 1000);
      const updates = rows
        .filter((r) => r.event === 'presence.update')
        .map((r) => (r.payload as { presences: Record<string, { lastKnownPresence: string }> }).presences[jid(DORA)]?.lastKnownPresence);
      expect(updates).toEqual(['available', 'unavailable']);
      return updates;
    });
    expect(presences).toHaveLength(2);
  });

  it("a contact's profile: picture URL, about text and business profile; 404 for a number not on WhatsApp", async () => {
    const picture = await jpeg('red');
    const view = await e.control.updateContactProfile(GINA, { about: 'At the gym', picture: { dataBase64: picture.toString('base64') } });
    const res = await api('get', `/contacts/${encodeURIComponent(`+${GINA}`)}/profile`);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ phone: `+${GINA}`, jid: jid(GINA), pictureUrl: view.picture!.url, business: null });
    expect(res.body.data.about).toMatchObject({ text: 'At the gym', setAt: expect.any(String) });

    await e.control.updateContactProfile(HUGO, {
      business: { description: 'Fresh bread daily', category: 'Bakery', website: 'https://hugo.example.com', timezone: 'America/Sao_Paulo', hours: [{ day: 'mon', mode: 'specific_hours', openTime: 420, closeTime: 1080 }] },
    });
    const hugo = await api('get', `/contacts/${HUGO}/profile`);
    expect(hugo.status).toBe(200);
    expect(hugo.body.data).toMatchObject({
      pictureUrl: null,
      about: { text: 'Hey there! I am using WhatsApp.' },
      business: {
        description: 'Fresh bread daily',
        category: 'Bakery',
        websites: ['https://hugo.example.com'],
        timezone: 'America/Sao_Paulo',
        hours: [{ day: 'mon', mode: 'specific_hours', openTime: 420, closeTime: 1080 }],
      },
    });

    const nobody = await api('get', '/contacts/5500000000123/profile');
    expect(nobody.status).toBe(404);
    expect(nobody.body.error.code).toBe('CONTACT_NOT_ON_WHATSAPP');
    const bad = await api('get', '/contacts/not-a-phone/profile');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_PHONE');
  });

  it('PUT profile: about, an uploaded picture, a picture from a URL (guarded), removal', async () => {
    const about = await api('put', '/profile').send({ about: 'Open 9 to 5' });
    expect(about.status).toBe(200);
    expect((await e.control.profile(phone)).about.text).toBe('Open 9 to 5');
    expect(about.body.data.profile).toMatchObject({ phone: `+${phone}`, about: { text: 'Open 9 to 5' } });

    const uploaded = await api('put', '/profile').attach('picture', await jpeg('blue'), { filename: 'me.jpg', contentType: 'image/jpeg' });
    expect(uploaded.status).toBe(200);
    const stored = (await e.control.profile(phone)).picture;
    expect(stored).toMatchObject({ author: phone });
    expect(uploaded.body.data.profile.pictureUrl).toBe(stored!.url);

    // a picture from a URL: the simulator serves Gina's; the engine fetches it under the media URL guard
    const gina = (await e.control.profile(GINA)).picture!.url;
    const fromUrl = await api('put', '/profile').send({ pictureUrl: gina });
    expect(fromUrl.status).toBe(200);
    const next = (await e.control.profile(phone)).picture;
    expect(next!.id).not.toBe(stored!.id);

    const metadata = await api('put', '/profile').send({ pictureUrl: 'http://169.254.169.254/latest/picture.jpg' });
    expect(metadata.status).toBe(400);
    expect(metadata.body.error.code).toBe('MEDIA_URL_NOT_ALLOWED');
    const notImage = await api('put', '/profile').attach('picture', Buffer.from('%PDF-1.4 not an image'), { filename: 'x.pdf', contentType: 'application/pdf' });
    expect(notImage.status).toBe(415);
    expect((await e.control.profile(phone)).picture!.id).toBe(next!.id);

    const removed = await api('put', '/profile').send({ pictureUrl: null });
    expect(removed.status).toBe(200);
    expect((await e.control.profile(phone)).picture).toBeNull();
    expect(removed.body.data.profile.pictureUrl).toBeNull();

    for (const body of [{}, { name: '' }, { name: 'x'.repeat(26) }, { about: 'x'.repeat(140) }, { pictureUrl: 'ftp://x/y.jpg' }, { nick: 'a' }]) {
      const res = await api('put', '/profile').send(body);
      expect(res.status).toBe(400);
      expect(res.body.success).toBe(false);
    }
  });

  it("block and unblock: the blocklist follows, and a blocked contact's messages never arrive", async () => {
    const blocked = await api('post', `/contacts/${HUGO}/block`);
    expect(blocked.status).toBe(200);
    expect(blocked.body.data).toEqual({ phone: `+${HUGO}`, blocked: true, blocklist: [{ phone: `+${HUGO}`, jid: jid(HUGO) }] });
    expect((await e.control.profile(phone)).blocked).toEqual([HUGO]);
    const list = await api('get', '/blocklist');
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([{ phone: `+${HUGO}`, jid: jid(HUGO) }]);
    expect((await e.control.sendFromContact(HUGO, { to: phone, text: 'let me in' })).blocked).toBe(true);

    const unblocked = await api('post', `/contacts/${HUGO}/unblock`);
    expect(unblocked.status).toBe(200);
    expect(unblocked.body.data).toEqual({ phone: `+${HUGO}`, blocked: false, blocklist: [] });
    expect((await api('get', '/blocklist')).body.data).toEqual([]);
    expect((await e.control.profile(phone)).blocked).toEqual([]);

    expect((await api('post', '/contacts/5500000000123/block')).status).toBe(404);
    expect((await api('post', '/contacts/abc/block')).status).toBe(400);
  });

  it('bad input is 400; another tenant’s instance is 404 on every route; an unpaired instance is 409', async () => {
    for (const body of [{ to: DORA, state: 'dancing' }, { to: '', state: 'composing' }, { to: 'abc', state: 'composing' }, { state: 'composing' }, { to: DORA, state: 'composing', x: 1 }]) {
      const res = await api('post', '/presence').send(body);
      expect(res.status).toBe(400);
    }
    expect((await api('post', '/presence/subscribe').send({ to: '120363000000000001@g.us' })).status).toBe(400);
    expect((await api('post', '/presence/subscribe').send({})).status).toBe(400);

    const routes: Array<[method: 'get' | 'post' | 'put', path: string, body?: object]> = [
      ['post', '/presence', { to: DORA, state: 'composing' }],
      ['post', '/presence/subscribe', { to: DORA }],
      ['get', `/contacts/${GINA}/profile`],
      ['put', '/profile', { about: 'hijacked' }],
      ['post', `/contacts/${HUGO}/block`],
      ['post', `/contacts/${HUGO}/unblock`],
      ['get', '/blocklist'],
      ['post', '/pairing-code', { phone: '5511999990000' }],
    ];
    for (const [method, path, body] of routes) {
      const res = await api(method, path, stranger.cookie).send(body);
      expect([path, res.status, res.body.error?.code]).toEqual([path, 404, 'NOT_FOUND']);
    }
    expect((await e.control.profile(phone)).about.text).not.toBe('hijacked');

    const { instanceId: unpaired } = await createInstance(e.app, stranger.cookie);
    const res = await api('get', '/blocklist', stranger.cookie, unpaired);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('INSTANCE_NOT_CONNECTED');
  });

  it('every route is in the OpenAPI document', async () => {
    const doc = await request(e.app).get('/openapi.json');
    const paths = doc.body.paths as Record<string, Record<string, unknown>>;
    const base = '/whatsapp/instances/{instanceId}';
    const expected: Array<[string, string]> = [
      [`${base}/pairing-code`, 'post'],
      [`${base}/presence`, 'post'],
      [`${base}/presence/subscribe`, 'post'],
      [`${base}/contacts/{phone}/profile`, 'get'],
      [`${base}/profile`, 'put'],
      [`${base}/contacts/{phone}/block`, 'post'],
      [`${base}/contacts/{phone}/unblock`, 'post'],
      [`${base}/blocklist`, 'get'],
    ];
    for (const [path, method] of expected) expect([path, method, Boolean(paths[path]?.[method])]).toEqual([path, method, true]);
    expect(JSON.stringify(paths[`${base}`]?.get)).toContain('InstanceDetailResponse');
  });
});

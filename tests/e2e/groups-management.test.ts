import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import request from 'supertest';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { freshPhone } from '../support/engine-app.js';
import { createInstance, signup } from '../support/factories.js';
import { api, eventually, newContact, startPaired, waitForStatus, type PairedTenant } from '../support/messaging.js';
import { verifiedWebhooks, type WebhookBody } from '../support/verified-webhooks.js';
import { Receiver } from '../support/webhook-receiver.js';

jest.setTimeout(180_000);

/** The simulator's largest group (members, the creator included): small, so "too many participants" is cheap to reach. */
const SIZE_LIMIT = 6;

let sim: RunningSimulator;
let t: PairedTenant;
let secret: string;
let ana: string;
let bia: string;
let carol: string;
let dave: string;
let erin: string; // privacy: only invites add her
let group: string;
let carolsGroup: string;
const receiver = new Receiver();

beforeAll(async () => {
  await receiver.start();
  sim = await startSimulator({ seed: `groups-e2e-${process.pid}-${randomBytes(3).toString('hex')}`, groupSizeLimit: SIZE_LIMIT });
  t = await startPaired({
    simulator: sim,
    env: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_POLL_INTERVAL_MS: '200', WEBHOOK_BACKOFF_BASE_MS: '100', WEBHOOK_BACKOFF_MAX_MS: '500' },
  });
  const put = await request(t.e.app).put(`/whatsapp/instances/${t.instanceId}`).set('Cookie', t.cookie).send({ webhookUrl: receiver.url('/events') });
  expect(put.status).toBe(200);
  secret = put.body.data.webhookSecret as string;
  [ana, bia, carol, dave, erin] = await Promise.all(['Ana', 'Bia', 'Carol', 'Dave', 'Erin'].map((n) => newContact(t.e, n))) as [string, string, string, string, string];
  await t.e.control.updateContactProfile(erin, { groupAdd: 'invite' });
});
afterAll(async () => {
  await t?.e.close();
  await sim?.close();
  await receiver.stop();
});

const { webhook, received } = verifiedWebhooks(receiver, '/events', () => secret);

const base = () => `/whatsapp/instances/${t.instanceId}/groups`;
const jid = (p: string) => `${p}@s.whatsapp.net`;
const call = () => {
  const a = api(t.e.app, t.cookie);
  return {
    ...a,
    patch: (path: string, body?: object) => request(t.e.app).patch(path).set('Cookie', t.cookie).send(body),
    put: (path: string, body?: object) => request(t.e.app).put(path).set('Cookie', t.cookie).send(body),
  };
};
const participantsOf = (b: WebhookBody) => (b.data.participants as Array<{ id: string; phone: string | null }>).map((p) => p.id);

describe('groups e2e: a group’s life through the API (real app + engine, the simulator as WhatsApp)', () => {
  it('POST /groups creates a group owned by the number; groups.upsert reaches the webhook and the chat list shows it', async () => {
    const res = await call().post(base(), {
      subject: 'Clube do Livro',
      participants: [ana, `+${bia.slice(0, 2)} (${bia.slice(2, 4)}) ${bia.slice(4)}`, jid(erin)],
      description: 'Um livro por mês',
    });
    expect(res.status).toBe(201);
    group = res.body.data.jid as string;
    expect(group).toMatch(/^\d+@g\.us$/);
    expect(res.body.data).toMatchObject({
      subject: 'Clube do Livro',
      description: 'Um livro por mês',
      owner: { jid: jid(t.phone), phone: `+${t.phone}` },
      settings: { announcement: false, locked: false },
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    // Erin only accepts invites: WhatsApp leaves her out of the creation
    const roles = Object.fromEntries((res.body.data.participants as Array<{ phone: string; role: string }>).map((p) => [p.phone, p.role]));
    expect(roles).toEqual({ [`+${t.phone}`]: 'superadmin', [`+${ana}`]: 'member', [`+${bia}`]: 'member' });
    expect((await t.e.control.group(group)).participants.map((p) => p.phone).sort()).toEqual([t.phone, ana, bia].sort());

    const upsert = await webhook((b) => b.event === 'groups.upsert' && b.data.id === group, 'groups.upsert of our own group');
    expect(upsert.data).toMatchObject({ id: group, subject: 'Clube do Livro', owner: jid(t.phone) });
    expect(upsert.data.participants).toEqual(expect.arrayContaining([{ id: jid(t.phone), admin: 'superadmin' }, { id: jid(ana), admin: null }]));

    const chats = await eventually(async () => {
      const list = await call().get(`/whatsapp/instances/${t.instanceId}/chats?isGroup=true`);
      const found = (list.body.data.items as Array<{ jid: string; name: string | null }>).find((c) => c.jid === group);
      if (!found) throw new Error('group chat not listed yet');
      return found;
    });
    expect(chats).toMatchObject({ jid: group, name: 'Clube do Livro', isGroup: true });
  });

  it('GET /groups lists the groups the number is in, paginated; GET /groups/{jid} gives the metadata', async () => {
    const theirs = await t.e.control.createGroup({ creator: carol, subject: 'A banda da Carol', participants: [t.phone, ana] });
    carolsGroup = theirs.jid;
    await webhook((b) => b.event === 'groups.upsert' && b.data.id === carolsGroup, 'groups.upsert of a contact’s group');

    const all = await call().get(base());
    expect(all.status).toBe(200);
    expect(all.body.data).toMatchObject({ total: 2, page: 1, totalPages: 1 });
    expect(all.body.data.items.map((g: { subject: string }) => g.subject)).toEqual(['A banda da Carol', 'Clube do Livro']);
    const second = await call().get(`${base()}?pageSize=1&page=2`);
    expect(second.body.data).toMatchObject({ total: 2, page: 2, pageSize: 1, totalPages: 2 });
    expect(second.body.data.items.map((g: { jid: string }) => g.jid)).toEqual([group]);

    // the bare id works as well as the JID, raw or encoded
    const meta = await call().get(`${base()}/${carolsGroup.split('@')[0]}`);
    expect(meta.status).toBe(200);
    expect(meta.body.data).toMatchObject({
      jid: carolsGroup,
      subject: 'A banda da Carol',
      owner: { jid: jid(carol), phone: `+${carol}` },
      createdAt: new Date(theirs.creation * 1000).toISOString(),
      size: 3,
    });
    expect(meta.body.data.participants).toEqual(
      expect.arrayContaining([
        { jid: jid(carol), phone: `+${carol}`, lid: expect.stringMatching(/@lid$/), role: 'superadmin' },
        expect.objectContaining({ jid: jid(t.phone), role: 'member' }),
      ]),
    );
    expect((await call().get(`${base()}/${encodeURIComponent(group)}`)).body.data.jid).toBe(group);
  });

  it('POST /groups/{jid}/participants answers per participant; the changes arrive as group-participants.update with the author', async () => {
    const nobody = freshPhone(); // not on WhatsApp
    const mark = received().length;
    const add = await call().post(`${base()}/${group}/participants`, { action: 'add', participants: [dave, bia, nobody, erin] });
    expect(add.status).toBe(200);
    expect(add.body.data.results.map((r: { phone: string; status: string; success: boolean }) => [r.phone, r.status, r.success])).toEqual([
      [`+${dave}`, 'added', true],
      [`+${bia}`, 'already_in', false],
      [`+${nobody}`, 'not_on_whatsapp', false],
      [`+${erin}`, 'needs_invite', false],
    ]);
    expect(add.body.data.results[3].invite).toEqual({ code: (await t.e.control.group(group)).inviteCode, expiresAt: expect.any(String) });

    const added = await webhook((b) => b.event === 'group-participants.update' && b.data.id === group && b.data.action === 'add', 'add');
    expect(added.data).toMatchObject({ author: jid(t.phone), authorPhone: `+${t.phone}`, participants: [{ id: jid(dave), phone: `+${dave}` }] });

    const promote = await call().post(`${base()}/${group}/participants`, { action: 'promote', participants: [ana] });
    expect(promote.body.data.results).toEqual([{ jid: jid(ana), phone: `+${ana}`, success: true, status: 'promoted', code: 200 }]);
    const promoted = await webhook((b) => b.event === 'group-participants.update' && b.data.id === group && b.data.action === 'promote', 'promote');
    expect(participantsOf(promoted)).toEqual([jid(ana)]);
    expect((await t.e.control.group(group)).participants.find((p) => p.phone === ana)?.admin).toBe('admin');
    expect((await call().post(`${base()}/${group}/participants`, { action: 'promote', participants: [ana] })).body.data.results[0].status).toBe('already_admin');

    const demote = await call().post(`${base()}/${group}/participants`, { action: 'demote', participants: [ana, bia] });
    expect(demote.body.data.results.map((r: { status: string }) => r.status)).toEqual(['demoted', 'not_admin']);

    const remove = await call().post(`${base()}/${group}/participants`, { action: 'remove', participants: [dave, nobody] });
    expect(remove.body.data.results.map((r: { status: string }) => r.status)).toEqual(['removed', 'not_in_group']);
    const removed = await webhook((b) => b.event === 'group-participants.update' && b.data.id === group && b.data.action === 'remove', 'remove');
    expect(removed.data).toMatchObject({ author: jid(t.phone), participants: [{ id: jid(dave) }] });
    expect((await t.e.control.group(group)).participants.map((p) => p.phone)).not.toContain(dave);
    // the events of this test came in the order the changes were made
    const order = received()
      .slice(mark)
      .filter((b) => b.event === 'group-participants.update' && b.data.id === group)
      .sort((a, b) => a.sequence - b.sequence)
      .map((b) => b.data.action);
    expect(order).toEqual(['add', 'promote', 'demote', 'remove']);
  });

  it('PATCH /groups/{jid} changes subject, description and settings; groups.update follows and the chat list renames the group', async () => {
    const res = await call().patch(`${base()}/${group}`, {
      subject: 'Clube do Livro SP',
      description: 'Dois livros por mês',
      settings: { announcement: true, locked: true },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ subject: 'Clube do Livro SP', description: 'Dois livros por mês', settings: { announcement: true, locked: true } });
    expect(await t.e.control.group(group)).toMatchObject({ subject: 'Clube do Livro SP', description: 'Dois livros por mês', announce: true, locked: true });
    // announcement: WhatsApp now refuses a plain member's message
    await expect(t.e.control.sendToGroup(group, { from: bia, text: 'posso?' })).rejects.toMatchObject({ status: 403 });

    const renamed = await webhook((b) => b.event === 'groups.update' && b.data.id === group && b.data.subject === 'Clube do Livro SP', 'groups.update subject');
    expect(renamed.data.participants).toBeUndefined();
    await webhook((b) => b.event === 'groups.update' && b.data.id === group && b.data.announce === true, 'groups.update announce');
    await webhook((b) => b.event === 'groups.update' && b.data.id === group && b.data.restrict === true, 'groups.update restrict');
    await eventually(async () => {
      const list = await call().get(`/whatsapp/instances/${t.instanceId}/chats?isGroup=true`);
      const chat = (list.body.data.items as Array<{ jid: string; name: string }>).find((c) => c.jid === group);
      if (chat?.name !== 'Clube do Livro SP') throw new Error(`chat name ${chat?.name}`);
    });

    const reopened = await call().patch(`${base()}/${group}`, { description: null, settings: { announcement: false } });
    expect(reopened.body.data).toMatchObject({ description: null, settings: { announcement: false, locked: true } });
  });

  it('invite links: read, revoke (the old code stops working), a contact joins with the new one', async () => {
    const first = await call().get(`${base()}/${group}/invite-code`);
    expect(first.status).toBe(200);
    const code = first.body.data.inviteCode as string;
    expect(first.body.data).toEqual({ jid: group, inviteCode: (await t.e.control.group(group)).inviteCode, inviteUrl: `https://chat.whatsapp.com/${code}` });

    const revoked = await call().post(`${base()}/${group}/invite-code/revoke`);
    expect(revoked.status).toBe(200);
    const fresh = revoked.body.data.inviteCode as string;
    expect(fresh).not.toBe(code);
    await expect(t.e.control.joinGroup(erin, code)).rejects.toMatchObject({ status: 401 });
    await t.e.control.joinGroup(erin, fresh);
    const joined = await webhook((b) => b.event === 'group-participants.update' && b.data.id === group && b.data.author === jid(erin), 'erin joins');
    expect(joined.data).toMatchObject({ action: 'add', participants: [{ id: jid(erin), phone: `+${erin}` }] });
  });

  it('POST /groups/join joins by code or link → groups.upsert; the number added by a contact → groups.upsert too', async () => {
    const party = await t.e.control.createGroup({ creator: dave, subject: 'Festa do Dave', participants: [carol] });
    const res = await call().post(`${base()}/join`, { inviteCode: `https://chat.whatsapp.com/${party.inviteCode}` });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ jid: party.jid, subject: 'Festa do Dave' });
    expect((await t.e.control.group(party.jid)).participants.map((p) => p.phone)).toContain(t.phone);
    await webhook((b) => b.event === 'groups.upsert' && b.data.id === party.jid && b.data.subject === 'Festa do Dave', 'groups.upsert after join');

    const quiet = await t.e.control.createGroup({ creator: dave, subject: 'Sem o número', participants: [carol] });
    await t.e.control.groupParticipants(quiet.jid, { by: dave, action: 'add', participants: [t.phone] });
    const upsert = await webhook((b) => b.event === 'groups.upsert' && b.data.id === quiet.jid, 'groups.upsert when added');
    expect(upsert.data).toMatchObject({ subject: 'Sem o número', owner: jid(dave) });
    await webhook((b) => b.event === 'group-participants.update' && b.data.id === quiet.jid && b.data.author === jid(dave), 'added by dave');
  });

  it("the group's picture: none at first, set from base64, read back", async () => {
    expect((await call().get(`${base()}/${group}/picture`)).body.data).toEqual({ jid: group, url: null });
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: 'orange' } }).jpeg().toBuffer();
    const set = await call().put(`${base()}/${group}/picture`, { imageBase64: jpeg.toString('base64') });
    expect(set.status).toBe(200);
    const { pictureUrl } = await t.e.control.group(group);
    expect(pictureUrl).toMatch(/^http/);
    expect(set.body.data).toEqual({ jid: group, url: pictureUrl });
    expect((await call().get(`${base()}/${group}/picture`)).body.data).toEqual({ jid: group, url: pictureUrl });

    // from a URL (the media URL guard applies; private addresses are allowed in this test's environment)
    const png = await sharp({ create: { width: 48, height: 48, channels: 3, background: 'blue' } }).png().toBuffer();
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const fromUrl = await call().put(`${base()}/${group}/picture`, { imageUrl: `http://127.0.0.1:${port}/logo.png` });
      expect(fromUrl.status).toBe(200);
      const after = (await t.e.control.group(group)).pictureUrl;
      expect(after).not.toBe(pictureUrl);
      expect(fromUrl.body.data).toEqual({ jid: group, url: after });
    } finally {
      server.close();
    }
  });

  it('messages: send-text reaches the members; a member’s message carries its sender (participant, phone, LID)', async () => {
    const res = await call().post(`/whatsapp/instances/${t.instanceId}/send-text`, { to: group, message: 'Próximo livro: Dom Casmurro' });
    expect(res.status).toBe(202);
    const sent = await waitForStatus(t.e.app, t.cookie, t.instanceId, res.body.data.messageId as string, ['sent', 'delivered', 'read']);
    await eventually(async () => {
      if (!(await t.e.control.inbox(ana)).some((m) => m.id === sent.waMessageId && m.group === group)) throw new Error('not yet at ana');
    });

    const { id } = await t.e.control.sendToGroup(group, { from: bia, text: 'Adorei a escolha' });
    const upsert = await webhook((b) => b.event === 'messages.upsert' && b.data.key?.id === id, 'group message');
    const biaLid = (await t.e.control.group(group)).participants.find((p) => p.phone === bia)?.lid;
    expect(upsert.data).toMatchObject({
      key: { remoteJid: group, fromMe: false, participant: jid(bia) },
      pushName: 'Bia',
      sender: { jid: jid(bia), phone: `+${bia}`, lid: biaLid },
    });
  });

  it('errors: 404 unknown group, 403 not an admin or not in it, 400 bad input and too many participants, 404 invite', async () => {
    const unknown = await call().get(`${base()}/120363000000000000@g.us`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ success: false, error: { code: 'GROUP_NOT_FOUND', message: expect.any(String) } });
    expect((await call().post(`${base()}/120363000000000000@g.us/participants`, { action: 'add', participants: [ana] })).body.error.code).toBe('GROUP_NOT_FOUND');

    // in Carol's group the number is a plain member
    for (const res of [
      await call().patch(`${base()}/${carolsGroup}`, { settings: { announcement: true } }),
      await call().post(`${base()}/${carolsGroup}/participants`, { action: 'add', participants: [bia] }),
      await call().get(`${base()}/${carolsGroup}/invite-code`),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('NOT_GROUP_ADMIN');
    }
    expect((await t.e.control.group(carolsGroup)).announce).toBe(false);

    const tooBig = await call().post(base(), { subject: 'Grande demais', participants: Array.from({ length: SIZE_LIMIT }, () => freshPhone()) });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.error.code).toBe('GROUP_TOO_LARGE');

    const bad = await call().post(base(), { subject: '', participants: ['abc', `${carolsGroup}`], extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const badPhones = await call().post(base(), { subject: 'x', participants: ['abc', carolsGroup] });
    expect(badPhones.status).toBe(400);
    expect(badPhones.body.error).toMatchObject({ code: 'INVALID_PARTICIPANT', details: [{ path: 'participants.0' }, { path: 'participants.1' }] });
    expect((await call().get(`${base()}/not-a-group`)).status).toBe(400);
    expect((await call().patch(`${base()}/${group}`, {})).status).toBe(400);
    expect((await call().patch(`${base()}/${group}`, { settings: {} })).status).toBe(400);
    expect((await call().post(`${base()}/${group}/participants`, { action: 'kick', participants: [ana] })).status).toBe(400);
    expect((await call().post(`${base()}/${group}/participants`, { action: 'add', participants: [] })).status).toBe(400);
    expect((await call().post(`${base()}/join`, { inviteCode: 'no spaces!' })).status).toBe(400);
    expect((await call().put(`${base()}/${group}/picture`, {})).status).toBe(400);
    expect((await call().put(`${base()}/${group}/picture`, { imageBase64: Buffer.from('not an image at all').toString('base64') })).status).toBe(415);
    expect((await call().get(`${base()}?pageSize=1000`)).status).toBe(400);

    const wrongCode = await call().post(`${base()}/join`, { inviteCode: 'AAAAAAAAAAAAAAAAAAAAAA' });
    expect(wrongCode.status).toBe(404);
    expect(wrongCode.body.error.code).toBe('INVITE_NOT_FOUND');
    // nothing was created by the refused requests
    expect((await call().get(base())).body.data.total).toBe(4);
  });

  it("another tenant's instance is a 404 on every group route", async () => {
    const other = await signup(t.e.app);
    const { instanceId: theirs } = await createInstance(t.e.app, other.cookie);
    const as = (method: 'get' | 'post' | 'patch' | 'put', path: string, body?: object) =>
      request(t.e.app)[method](path).set('Cookie', other.cookie).send(body);
    const mine = base();
    for (const res of [
      await as('get', mine),
      await as('post', mine, { subject: 'x', participants: [ana] }),
      await as('get', `${mine}/${group}`),
      await as('patch', `${mine}/${group}`, { subject: 'hijack' }),
      await as('post', `${mine}/${group}/participants`, { action: 'remove', participants: [ana] }),
      await as('get', `${mine}/${group}/invite-code`),
      await as('post', `${mine}/${group}/invite-code/revoke`),
      await as('post', `${mine}/join`, { inviteCode: 'AAAAAAAAAAAAAAAAAAAAAA' }),
      await as('post', `${mine}/${group}/leave`),
      await as('get', `${mine}/${group}/picture`),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    expect((await t.e.control.group(group)).subject).toBe('Clube do Livro SP');
    // their own, unpaired instance: not connected
    expect((await request(t.e.app).get(`/whatsapp/instances/${theirs}/groups`).set('Cookie', other.cookie)).status).toBe(409);
  });

  it('POST /groups/{jid}/leave: the number leaves; the change is reported and the group is no longer readable', async () => {
    const res = await call().post(`${base()}/${carolsGroup}/leave`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ jid: carolsGroup, left: true });
    expect((await t.e.control.group(carolsGroup)).participants.map((p) => p.phone)).not.toContain(t.phone);
    const left = await webhook((b) => b.event === 'group-participants.update' && b.data.id === carolsGroup && b.data.action === 'remove', 'leave');
    expect(left.data).toMatchObject({ author: jid(t.phone), participants: [{ id: jid(t.phone) }] });

    const after = await call().get(`${base()}/${carolsGroup}`);
    expect(after.status).toBe(403);
    expect(after.body.error.code).toBe('NOT_GROUP_PARTICIPANT');
    expect((await call().post(`${base()}/${carolsGroup}/leave`)).status).toBe(403);
    expect((await call().get(base())).body.data.items.map((g: { jid: string }) => g.jid)).not.toContain(carolsGroup);
    const chats = await call().get(`/whatsapp/instances/${t.instanceId}/chats?isGroup=true`);
    expect((chats.body.data.items as Array<{ jid: string; readOnly: boolean }>).find((c) => c.jid === carolsGroup)?.readOnly).toBe(true);
  });

  it('every group route is in the OpenAPI document, and so is the group-participants.update webhook', async () => {
    const doc = (await request(t.e.app).get('/openapi.json')).body;
    const paths = doc.paths as Record<string, Record<string, unknown>>;
    const g = '/whatsapp/instances/{instanceId}/groups';
    expect(Object.keys(paths[g] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths[`${g}/{jid}`] ?? {}).sort()).toEqual(['get', 'patch']);
    for (const [path, method] of [
      [`${g}/join`, 'post'], [`${g}/{jid}/participants`, 'post'], [`${g}/{jid}/invite-code`, 'get'],
      [`${g}/{jid}/invite-code/revoke`, 'post'], [`${g}/{jid}/leave`, 'post'], [`${g}/{jid}/picture`, 'get'], [`${g}/{jid}/picture`, 'put'],
    ] as const) {
      expect(paths[path]?.[method]).toBeDefined();
    }
    expect(JSON.stringify(doc.webhooks)).toContain('group-participants.update');
  });
});

import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { ControlApiError } from '../../src/simulator/control/control-client.js';
import { Client, eventually, pairDevice, silenceSignalChatter, startHarness, type Harness } from './support/baileys-harness.js';

silenceSignalChatter();

const PHONE = '5511940000000';
const GINA = '5511941110000';
const HUGO = '5511942220000';
const jid = (n: string) => `${n}@s.whatsapp.net`;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const jpeg = (color: string) => sharp({ create: { width: 64, height: 64, channels: 3, background: color } }).jpeg().toBuffer();

/** Baileys turns an iq error into Boom(text, {data: code}): statusCode 500, the WhatsApp code in `data`. */
const failure = (promise: Promise<unknown>): Promise<{ status?: number; message?: string; data?: unknown; output?: { statusCode?: number } }> =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err as { status?: number; message?: string; data?: unknown; output?: { statusCode?: number } },
  );

describe('contract: profiles and blocklist (pictures, about, push name, business profile, block)', () => {
  let h: Harness;
  let client: Client;

  beforeAll(async () => {
    h = await startHarness();
    await h.control.createContact(GINA, 'Gina');
    await h.control.createContact(HUGO, 'Hugo');
    client = await pairDevice(h, PHONE, 'Alice');
  });
  afterAll(async () => {
    client?.end();
    await h.close();
  });

  it("a contact's picture: contacts.update on change, profilePictureUrl serves it, 404 when there is none", async () => {
    expect(await failure(client.sock.profilePictureUrl(jid(GINA), 'image'))).toMatchObject({ message: 'item-not-found', data: 404 });

    const picture = await jpeg('red');
    const mark = client.mark();
    const view = await h.control.updateContactProfile(GINA, { picture: { dataBase64: picture.toString('base64') } });
    expect(view.picture).toMatchObject({ sha256: sha256(picture), author: GINA });
    const update = await client.waitFor('contacts.update', (u) => u.some((c) => c.id === jid(GINA)), 5000, mark);
    expect(update.find((c) => c.id === jid(GINA))?.imgUrl).toBe('changed');

    const url = await client.sock.profilePictureUrl(jid(GINA), 'image');
    expect(url).toBe(view.picture!.url);
    const served = Buffer.from(await (await fetch(url!)).arrayBuffer());
    expect(sha256(served)).toBe(sha256(picture));

    const removed = client.mark();
    await h.control.updateContactProfile(GINA, { picture: null });
    const gone = await client.waitFor('contacts.update', (u) => u.some((c) => c.id === jid(GINA)), 5000, removed);
    expect(gone.find((c) => c.id === jid(GINA))?.imgUrl).toBe('removed');
    expect(await failure(client.sock.profilePictureUrl(jid(GINA)))).toMatchObject({ data: 404 });
  });

  it('its own picture: updateProfilePicture stores the JPEG Baileys made, removeProfilePicture clears it', async () => {
    const me = client.auth.creds.me!.id;
    await client.sock.updateProfilePicture(me, await jpeg('blue'));
    const view = await h.control.profile(PHONE);
    expect(view.picture).toMatchObject({ author: PHONE, size: expect.any(Number) });
    const url = await client.sock.profilePictureUrl(jid(PHONE), 'image');
    expect(url).toBe(view.picture!.url);
    const served = Buffer.from(await (await fetch(url!)).arrayBuffer());
    expect((await sharp(served).metadata()).format).toBe('jpeg');

    await client.sock.removeProfilePicture(me);
    expect((await h.control.profile(PHONE)).picture).toBeNull();
  });

  it('about: fetchStatus reads a contact’s, updateProfileStatus sets its own', async () => {
    expect((await client.sock.fetchStatus(jid(HUGO)))?.[0]).toMatchObject({ id: jid(HUGO), status: { status: 'Hey there! I am using WhatsApp.' } });
    await h.control.updateContactProfile(GINA, { about: 'At the gym' });
    const [status] = (await client.sock.fetchStatus(jid(GINA))) ?? [];
    expect(status).toMatchObject({ id: jid(GINA), status: { status: 'At the gym' } });
    expect((status as unknown as { status: { setAt: Date } }).status.setAt.getTime()).toBeGreaterThan(0);

    await client.sock.updateProfileStatus('Available for work');
    expect((await h.control.profile(PHONE)).about.text).toBe('Available for work');
  });

  it('push name: updateProfileName is an app-state patch (the phone shared its key after pairing); the number is renamed', async () => {
    expect(client.auth.creds.myAppStateKeyId).toBeTruthy();
    await client.sock.updateProfileName('Alice Cooper');
    await eventually(async () => expect((await h.control.profile(PHONE)).name).toBe('Alice Cooper'));
    expect(client.auth.creds.me?.name).toBe('Alice Cooper'); // Baileys applies its own patch (emitOwnEvents)
  });

  it('business profile: getBusinessProfile for a contact marked business, undefined for others', async () => {
    await h.control.updateContactProfile(HUGO, {
      business: {
        description: 'Fresh bread daily',
        category: 'Bakery',
        address: 'Rua A, 1',
        email: 'hugo@example.com',
        website: 'https://hugo.example.com',
        timezone: 'America/Sao_Paulo',
        hours: [{ day: 'mon', mode: 'specific_hours', openTime: 420, closeTime: 1080 }],
      },
    });
    const business = await client.sock.getBusinessProfile(jid(HUGO));
    expect(business).toMatchObject({
      wid: jid(HUGO),
      description: 'Fresh bread daily',
      category: 'Bakery',
      address: 'Rua A, 1',
      email: 'hugo@example.com',
      website: ['https://hugo.example.com'],
      business_hours: { timezone: 'America/Sao_Paulo', business_config: [{ day_of_week: 'mon', mode: 'specific_hours', open_time: '420', close_time: '1080' }] },
    });
    expect(await client.sock.getBusinessProfile(jid(GINA))).toBeUndefined();
  });

  it('blocklist: updateBlockStatus and fetchBlocklist per account; a blocked contact’s messages are never delivered', async () => {
    let mark = client.mark();
    await client.sock.updateBlockStatus(jid(HUGO), 'block');
    const blocked = await client.waitFor('blocklist.update', (u) => u.type === 'add', 5000, mark);
    expect(blocked.blocklist).toEqual([jid(HUGO)]);
    expect(await client.sock.fetchBlocklist()).toEqual([jid(HUGO)]);
    expect((await h.control.profile(PHONE)).blocked).toEqual([HUGO]);

    mark = client.mark();
    const refused = await h.control.sendFromContact(HUGO, { to: PHONE, text: 'let me in' });
    expect(refused.blocked).toBe(true);
    const allowed = await h.control.sendFromContact(GINA, { to: PHONE, text: 'hi from gina' });
    expect(allowed.blocked).toBeUndefined();
    await client.waitFor('messages.upsert', (u) => u.messages.some((m) => m.key.id === allowed.id), 10_000, mark);
    expect(client.events.slice(mark).some((e) => e.name === 'messages.upsert' && JSON.stringify(e.data).includes(refused.id))).toBe(false);

    mark = client.mark();
    await client.sock.updateBlockStatus(jid(HUGO), 'unblock');
    await client.waitFor('blocklist.update', (u) => u.type === 'remove', 5000, mark);
    expect(await client.sock.fetchBlocklist()).toEqual([]);

    // the person blocks on the phone: the companion hears of it
    mark = client.mark();
    expect(await h.control.block(PHONE, GINA)).toEqual({ blocked: [GINA] });
    const fromPhone = await client.waitFor('blocklist.update', (u) => u.type === 'add', 5000, mark);
    expect(fromPhone.blocklist).toEqual([jid(GINA)]);
    await h.control.block(PHONE, GINA, 'unblock');
  });

  it('control API: 404 for unknown accounts, 400 for bad bodies', async () => {
    const err = (await failure(h.control.profile('5500000000001'))) as ControlApiError;
    expect(err).toMatchObject({ status: 404, code: 'account_not_found' });
    expect(await failure(h.control.updateContactProfile(GINA, {}))).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(await failure(h.control.updateContactProfile(GINA, { picture: { dataBase64: 'not base64!' } }))).toMatchObject({ status: 400 });
    expect(await failure(h.control.block('5500000000001', GINA))).toMatchObject({ status: 404, code: 'phone_not_found' });
  });
});

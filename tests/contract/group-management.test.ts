import { WA_CERT_DETAILS } from '@whiskeysockets/baileys';
import sharp from 'sharp';
import { startSimulator } from '../../src/simulator/index.js';
import { ControlClient } from '../../src/simulator/control/control-client.js';
import { Client, eventually, pairDevice, silenceSignalChatter, startHarness, type Harness } from './support/baileys-harness.js';

silenceSignalChatter();

const PHONE = '5511950000000';
const BOB = '5511951110000';
const CAROL = '5511952220000';
const DAVE = '5511953330000';
const ERIN = '5511954440000'; // privacy: only invites add her
const NOBODY = '5511959990000'; // not on WhatsApp
const jid = (n: string) => `${n}@s.whatsapp.net`;

/** Baileys throws an iq error as Boom(text, {data: code}). */
const iqFailure = (promise: Promise<unknown>): Promise<{ message: string; data: unknown }> =>
  promise.then(
    () => {
      throw new Error('expected the iq to fail');
    },
    (err: unknown) => err as { message: string; data: unknown },
  );

describe('contract: group management iqs (w:g2) and their w:gp2 notifications', () => {
  let h: Harness;
  let client: Client;
  let group: string;

  beforeAll(async () => {
    h = await startHarness();
    for (const [n, name] of [
      [BOB, 'Bob'],
      [CAROL, 'Carol'],
      [DAVE, 'Dave'],
      [ERIN, 'Erin'],
    ] as const)
      await h.control.createContact(n, name);
    await h.control.updateContactProfile(ERIN, { groupAdd: 'invite' });
    client = await pairDevice(h, PHONE, 'Alice');
    group = (await client.sock.groupCreate('Book club', [jid(BOB), jid(CAROL)])).id;
  });
  afterAll(async () => {
    client?.end();
    await h.close();
  });

  it('add / promote / demote / remove answer a result per participant: 200, 409, 404, 403 with an invite, 408', async () => {
    const added = await client.sock.groupParticipantsUpdate(group, [jid(DAVE), jid(BOB), jid(NOBODY), jid(ERIN)], 'add');
    expect(added.map((r) => [r.jid, r.status])).toEqual([
      [jid(DAVE), '200'],
      [jid(BOB), '409'],
      [jid(NOBODY), '404'],
      [jid(ERIN), '403'],
    ]);
    const invite = added[3]!.content.content as { tag: string; attrs: Record<string, string> }[];
    expect(invite[0]).toMatchObject({ tag: 'add_request', attrs: { code: (await h.control.group(group)).inviteCode, expiration: expect.stringMatching(/^\d+$/) } });

    expect((await client.sock.groupParticipantsUpdate(group, [jid(CAROL)], 'promote')).map((r) => r.status)).toEqual(['200']);
    expect((await client.sock.groupParticipantsUpdate(group, [jid(CAROL)], 'promote')).map((r) => r.status)).toEqual(['409']);
    expect((await client.sock.groupParticipantsUpdate(group, [jid(CAROL)], 'demote')).map((r) => r.status)).toEqual(['200']);
    expect((await client.sock.groupParticipantsUpdate(group, [jid(NOBODY)], 'remove')).map((r) => r.status)).toEqual(['404']);

    // Dave leaves on his own; an admin cannot add him back right away
    const mark = client.mark();
    await h.control.groupParticipants(group, { by: DAVE, action: 'remove', participants: [DAVE] });
    const left = await client.waitFor('group-participants.update', (u) => u.id === group && u.action === 'remove', 5000, mark);
    expect(left.participants.map((p) => p.id)).toEqual([jid(DAVE)]);
    expect((await client.sock.groupParticipantsUpdate(group, [jid(DAVE)], 'add')).map((r) => r.status)).toEqual(['408']);

    // only admins: Carol (a plain member now) is refused by the whole iq
    await expect(h.control.groupParticipants(group, { by: CAROL, action: 'add', participants: [DAVE] })).rejects.toMatchObject({ status: 403, code: 'not_an_admin' });
  });

  it('settings: announcement and locked from the device, and from an admin contact as groups.update', async () => {
    await client.sock.groupSettingUpdate(group, 'announcement');
    await client.sock.groupSettingUpdate(group, 'locked');
    expect(await h.control.group(group)).toMatchObject({ announce: true, locked: true });
    expect(await client.sock.groupMetadata(group)).toMatchObject({ announce: true, restrict: true });
    // announcement: only admins send; locked: only admins edit the info
    await expect(h.control.sendToGroup(group, { from: CAROL, text: 'may I?' })).rejects.toMatchObject({ status: 403, code: 'announcement_only' });
    await expect(h.control.updateGroup(group, { by: CAROL, subject: 'Carol was here' })).rejects.toMatchObject({ status: 403, code: 'not_an_admin' });

    await client.sock.groupParticipantsUpdate(group, [jid(BOB)], 'promote');
    let mark = client.mark();
    await h.control.updateGroup(group, { by: BOB, announce: false });
    const open = await client.waitFor('groups.update', (u) => u.some((g) => g.id === group && g.announce === false), 5000, mark);
    expect(open.find((g) => g.id === group)?.author).toBe(jid(BOB));
    mark = client.mark();
    await h.control.updateGroup(group, { by: BOB, locked: false });
    await client.waitFor('groups.update', (u) => u.some((g) => g.id === group && g.restrict === false), 5000, mark);
    expect(await client.sock.groupMetadata(group)).toMatchObject({ announce: false, restrict: false });
    await h.control.sendToGroup(group, { from: CAROL, text: 'now I may' });

    await client.sock.groupUpdateDescription(group, 'We read one book a month');
    expect((await h.control.group(group)).description).toBe('We read one book a month');
  });

  it('invite links: code, revoke (the old code stops working), join by code from a contact and from the device', async () => {
    const code = await client.sock.groupInviteCode(group);
    expect(code).toBe((await h.control.group(group)).inviteCode);
    expect(await client.sock.groupGetInviteInfo(code!)).toMatchObject({ id: group, subject: 'Book club' });

    const fresh = await client.sock.groupRevokeInvite(group);
    expect(fresh).toMatch(/^[A-Za-z0-9]{22}$/);
    expect(fresh).not.toBe(code);
    await expect(h.control.joinGroup(ERIN, code!)).rejects.toMatchObject({ status: 401, code: 'invite_revoked' });
    const mark = client.mark();
    await h.control.joinGroup(ERIN, fresh!);
    const joined = await client.waitFor('group-participants.update', (u) => u.id === group && u.action === 'add', 5000, mark);
    expect(joined).toMatchObject({ author: jid(ERIN), participants: [expect.objectContaining({ id: jid(ERIN) })] });

    // a contact's group, joined by the device through its link; a wrong code is WhatsApp's 406
    const theirs = await h.control.createGroup({ creator: BOB, subject: 'Bob’s band', participants: [CAROL] });
    expect(await client.sock.groupAcceptInvite(theirs.inviteCode)).toBe(theirs.jid);
    expect((await h.control.group(theirs.jid)).participants.map((p) => p.phone)).toContain(PHONE);
    expect(await iqFailure(client.sock.groupAcceptInvite('AAAAAAAAAAAAAAAAAAAAAA'))).toMatchObject({ message: 'not-acceptable', data: 406 });
    // only admins read the link
    expect(await iqFailure(client.sock.groupInviteCode(theirs.jid))).toMatchObject({ data: 403 });

    await client.sock.groupLeave(theirs.jid);
    expect((await h.control.group(theirs.jid)).participants.map((p) => p.phone)).not.toContain(PHONE);
    expect(await iqFailure(client.sock.groupMetadata(theirs.jid))).toMatchObject({ data: 403 });
  });

  it("the group's picture: set by the device (profilePictureUrl serves it) and by a member contact (a picture notification)", async () => {
    const img = await sharp({ create: { width: 32, height: 32, channels: 3, background: 'green' } }).jpeg().toBuffer();
    await client.sock.updateProfilePicture(group, img);
    const view = await h.control.group(group);
    expect(view.pictureUrl).toMatch(/^http:\/\/.+\/pictures\/\d+\.jpg$/);
    expect(await client.sock.profilePictureUrl(group, 'image')).toBe(view.pictureUrl);

    const mark = client.mark();
    await h.control.setGroupPicture(group, CAROL, { dataBase64: img.toString('base64') });
    const update = await client.waitFor('contacts.update', (u) => u.some((c) => c.id === group), 5000, mark);
    expect(update.find((c) => c.id === group)?.imgUrl).toBe('changed');
    await eventually(async () => expect((await h.control.group(group)).pictureUrl).not.toBe(view.pictureUrl));
  });

  it('control API: 400 for bad bodies, 404 for unknown groups', async () => {
    await expect(h.control.updateGroup(group, { by: BOB })).rejects.toMatchObject({ status: 400, code: 'validation_failed' });
    await expect(h.control.joinGroup(ERIN, 'bad code!')).rejects.toMatchObject({ status: 400, code: 'validation_failed' });
    await expect(h.control.revokeGroupInvite('120363000000000000@g.us', BOB)).rejects.toMatchObject({ status: 404, code: 'group_not_found' });
    await expect(h.control.setGroupPicture(group, NOBODY, null)).rejects.toMatchObject({ status: 404, code: 'contact_not_found' });
  });
});

describe('contract: group size limit', () => {
  it('too many participants: creation fails with 406, adds beyond the limit answer 500 per participant', async () => {
    const sim = await startSimulator({ seed: `limits-${process.pid}`, groupSizeLimit: 3, media: false });
    WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(sim.rootPublicKey, 'hex');
    const h = { sim, control: new ControlClient(sim.controlUrl), close: () => sim.close() } satisfies Harness;
    const client = await pairDevice(h, PHONE, 'Alice');
    try {
      for (const n of [BOB, CAROL, DAVE]) await h.control.createContact(n, n);
      expect(await iqFailure(client.sock.groupCreate('Too big', [jid(BOB), jid(CAROL), jid(DAVE)]))).toMatchObject({ message: 'not-acceptable', data: 406 });
      const small = await client.sock.groupCreate('Small', [jid(BOB)]);
      const results = await client.sock.groupParticipantsUpdate(small.id, [jid(CAROL), jid(DAVE)], 'add');
      expect(results.map((r) => r.status)).toEqual(['200', '500']);
      await expect(h.control.createGroup({ creator: BOB, subject: 'x', participants: [CAROL, DAVE, PHONE] })).rejects.toMatchObject({ status: 406, code: 'group_too_large' });
    } finally {
      client.end();
      await h.close();
    }
  });
});

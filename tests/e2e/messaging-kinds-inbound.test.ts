import { jest } from '@jest/globals';
import { freshPhone } from '../support/engine-app.js';
import { createInstance, signup } from '../support/factories.js';
import { api, eventually, newContact, type PairedTenant } from '../support/messaging.js';
import { startPairedWithWebhook, verifiedWebhooks, type WebhookBody } from '../support/verified-webhooks.js';
import { Receiver } from '../support/webhook-receiver.js';

jest.setTimeout(180_000);

/*
 * Every kind a contact can send reaches the webhook (messages.upsert with a messageType naming it, plus its
 * readable fields) and the chat history (GET chats/{jid}/messages), with the sender named by phone and LID.
 */

let t: PairedTenant;
let secret: string;
const receiver = new Receiver();

beforeAll(async () => {
  await receiver.start();
  ({ t, secret } = await startPairedWithWebhook(receiver));
});
afterAll(async () => {
  await t?.e.close();
  await receiver.stop();
});

const { webhook } = verifiedWebhooks(receiver, '/events', () => secret);
const base = () => `/whatsapp/instances/${t.instanceId}`;
const jid = (p: string) => `${p}@s.whatsapp.net`;
const upsertOf = (id: string, what: string) => webhook((b) => b.event === 'messages.upsert' && b.data.key?.id === id, what);

/** The chat's messages as GET chats/{jid}/messages shows them, waiting until `id` is there. */
async function historyWith(chat: string, id: string, check: (m: Record<string, any>) => boolean = () => true) { // eslint-disable-line @typescript-eslint/no-explicit-any
  return eventually(async () => {
    const res = await api(t.e.app, t.cookie).get(`${base()}/chats/${encodeURIComponent(chat)}/messages?pageSize=100`);
    if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    const found = (res.body.data.items as Array<Record<string, any>>).find((m) => m.waMessageId === id); // eslint-disable-line @typescript-eslint/no-explicit-any
    if (!found || !check(found)) throw new Error(`${id} not (yet) as expected: ${JSON.stringify(found)}`);
    return { found, all: res.body.data };
  });
}

describe('e2e: every kind a contact sends reaches the webhook and the chat history', () => {
  let maria: string;
  let mariaLid: string;

  beforeAll(async () => {
    maria = await newContact(t.e, 'Maria');
    mariaLid = (await t.e.control.createContact(maria, 'Maria')).lid;
  });

  it('a location: locationMessage with latitude, longitude, name and address', async () => {
    const { id } = await t.e.control.sendLocation(maria, t.phone, { latitude: -23.5505, longitude: -46.6333, name: 'Praça da Sé', address: 'São Paulo' });
    const body = await upsertOf(id, 'location upsert');
    expect(body.data).toMatchObject({
      messageType: 'locationMessage',
      location: { latitude: -23.5505, longitude: -46.6333, name: 'Praça da Sé', address: 'São Paulo', live: false },
      senderPhone: `+${maria}`,
      senderLid: mariaLid,
      chatJid: jid(maria),
    });
    const { found } = await historyWith(jid(maria), id);
    expect(found).toMatchObject({
      type: 'location',
      location: { latitude: -23.5505, longitude: -46.6333, name: 'Praça da Sé', address: 'São Paulo' },
      contacts: null,
      poll: null,
      senderPhone: `+${maria}`,
      senderLid: mariaLid,
      edited: false,
      deleted: false,
    });
  });

  it('one contact card: contactMessage; several: contactsArrayMessage, each card read from its vCard', async () => {
    const one = await t.e.control.sendContacts(maria, t.phone, [{ name: 'Carlos Souza', phones: ['5511912345678'], org: 'ACME', email: 'carlos@example.com' }]);
    const body = await upsertOf(one.id, 'contact upsert');
    expect(body.data.messageType).toBe('contactMessage');
    expect(body.data.contacts).toEqual([{ name: 'Carlos Souza', phones: ['5511912345678'], org: 'ACME', email: 'carlos@example.com' }]);

    const two = await t.e.control.sendContacts(maria, t.phone, [
      { name: 'Ana', phones: ['5511900000001'] },
      { name: 'Bruno', phones: ['5511900000002', '5511900000003'] },
    ]);
    const both = await upsertOf(two.id, 'contacts array upsert');
    expect(both.data.messageType).toBe('contactsArrayMessage');
    const { found } = await historyWith(jid(maria), two.id);
    expect(found.type).toBe('contact');
    expect(found.contacts).toEqual([
      { name: 'Ana', phones: ['5511900000001'], org: null, email: null },
      { name: 'Bruno', phones: ['5511900000002', '5511900000003'], org: null, email: null },
    ]);
  });

  it('a poll: pollCreationMessage with its question and options (each with its voters)', async () => {
    const { id } = await t.e.control.sendPoll(maria, t.phone, { question: 'Almoço?', options: ['Pizza', 'Sushi', 'Salada'], multipleAnswers: false });
    const body = await upsertOf(id, 'poll upsert');
    const poll = { question: 'Almoço?', options: [{ name: 'Pizza', voters: [] }, { name: 'Sushi', voters: [] }, { name: 'Salada', voters: [] }], multipleAnswers: false };
    expect(body.data).toMatchObject({ messageType: 'pollCreationMessage', poll });
    const { found } = await historyWith(jid(maria), id);
    expect(found).toMatchObject({ type: 'poll', poll });

    const multi = await t.e.control.sendPoll(maria, t.phone, { question: 'Dias?', options: ['Seg', 'Ter'], multipleAnswers: true });
    expect((await upsertOf(multi.id, 'multi poll')).data.poll).toMatchObject({ multipleAnswers: true });
  });

  it('a sticker: stickerMessage, its media stored like any other', async () => {
    const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 '), Buffer.alloc(32, 1)]);
    const { id } = await t.e.control.sendFromContact(maria, { to: t.phone, media: { type: 'sticker', mimetype: 'image/webp', dataBase64: webp.toString('base64') } });
    expect((await upsertOf(id, 'sticker upsert')).data).toMatchObject({ messageType: 'stickerMessage', sticker: { animated: false } });
    const { found } = await historyWith(jid(maria), id, (m) => m.media?.status === 'stored');
    expect(found).toMatchObject({ type: 'sticker', sticker: { animated: false }, media: { status: 'stored', mimetype: 'image/webp', size: webp.length } });
  });

  it('a reaction: reactionMessage, and the reaction shows on its message; an empty emoji removes it', async () => {
    const { id: target } = await t.e.control.sendFromContact(maria, { to: t.phone, text: 'reage aqui' });
    await upsertOf(target, 'target');
    const reaction = await t.e.control.react(maria, t.phone, target, '❤️');
    const body = await upsertOf(reaction.id, 'reaction upsert');
    expect(body.data).toMatchObject({ messageType: 'reactionMessage', reaction: { targetId: target, emoji: '❤️', removed: false }, senderPhone: `+${maria}` });
    await historyWith(jid(maria), target, (m) => m.reactions[jid(maria)]?.emoji === '❤️');
    // the reaction is not a message of its own in the history
    const { all } = await historyWith(jid(maria), target);
    expect(all.items.some((m: { waMessageId: string }) => m.waMessageId === reaction.id)).toBe(false);

    await t.e.control.react(maria, t.phone, target, '');
    await historyWith(jid(maria), target, (m) => Object.keys(m.reactions).length === 0);
  });

  it('an edit: messages.update with the new text; the stored message holds it, marked edited', async () => {
    const { id } = await t.e.control.sendFromContact(maria, { to: t.phone, text: 'encontro às 10h' });
    await upsertOf(id, 'original');
    await t.e.control.edit(maria, t.phone, id, 'encontro às 11h');
    const body = await webhook((b) => b.event === 'messages.update' && b.data.key?.id === id && b.data.edited === true, 'edit update');
    expect(body.data).toMatchObject({ edit: { text: 'encontro às 11h' }, senderPhone: `+${maria}`, senderLid: mariaLid });
    const { found } = await historyWith(jid(maria), id, (m) => m.edited);
    expect(found).toMatchObject({ text: 'encontro às 11h', edited: true, editedAt: expect.any(String), deleted: false });
  });

  it('a revoke: messages.delete; the stored message marked deleted', async () => {
    const { id } = await t.e.control.sendFromContact(maria, { to: t.phone, text: 'ops, errado' });
    await upsertOf(id, 'to revoke');
    await t.e.control.revoke(maria, t.phone, id);
    const body = await webhook((b) => b.event === 'messages.delete' && b.data.key?.id === id, 'messages.delete');
    expect(body.data).toMatchObject({ deleted: true, senderPhone: `+${maria}`, senderLid: mariaLid });
    const { found } = await historyWith(jid(maria), id, (m) => m.deleted);
    expect(found).toMatchObject({ deleted: true, revokedAt: expect.any(String) });
  });

  it('in a group: kinds from a member carry the group as chat and the member by phone and LID', async () => {
    const bia = await newContact(t.e, 'Bia');
    const biaLid = (await t.e.control.createContact(bia, 'Bia')).lid;
    const group = (await t.e.control.createGroup({ creator: bia, subject: 'Kinds', participants: [t.phone] })).jid;
    await webhook((b) => b.event === 'groups.upsert' && b.data.id === group, 'groups.upsert');
    // The first message carries the member's sender key; the next ones are sent once it was taken.
    const loc = await t.e.control.sendToGroup(group, { from: bia, location: { latitude: 1.5, longitude: 2.5 } });
    const locBody: WebhookBody = await upsertOf(loc.id, 'group location');
    const poll = await t.e.control.sendToGroup(group, { from: bia, poll: { question: 'Sim?', options: ['Sim', 'Não'] } });
    const cards = await t.e.control.sendToGroup(group, { from: bia, contacts: [{ name: 'Caio', phones: ['5511955554444'] }] });
    expect(locBody.data).toMatchObject({
      key: { remoteJid: group, participant: jid(bia) },
      messageType: 'locationMessage',
      location: { latitude: 1.5, longitude: 2.5, name: null, address: null },
      chatJid: group,
      senderPhone: `+${bia}`,
      senderLid: biaLid,
    });
    expect((await upsertOf(poll.id, 'group poll')).data).toMatchObject({ messageType: 'pollCreationMessage', poll: { question: 'Sim?' } });
    expect((await upsertOf(cards.id, 'group card')).data).toMatchObject({ messageType: 'contactMessage', contacts: [{ name: 'Caio', phones: ['5511955554444'] }] });
    const { found } = await historyWith(group, poll.id);
    expect(found).toMatchObject({ senderJid: jid(bia), senderPhone: `+${bia}`, senderLid: biaLid, poll: { options: [{ name: 'Sim' }, { name: 'Não' }] } });
  });
});

describe('e2e: LID and phone, always both', () => {
  it('a contact who moves from phone to LID addressing mid-conversation stays one contact and one chat', async () => {
    const rui = await newContact(t.e, 'Rui');
    const ruiLid = (await t.e.control.createContact(rui, 'Rui')).lid;
    const first = await t.e.control.sendFromContact(rui, { to: t.phone, text: 'by phone' });
    expect((await upsertOf(first.id, 'PN message')).data).toMatchObject({ key: { remoteJid: jid(rui) }, senderPhone: `+${rui}`, senderLid: ruiLid });

    await t.e.control.setAddressing(rui, 'lid');
    const second = await t.e.control.sendFromContact(rui, { to: t.phone, text: 'by LID now' });
    const lidBody = await upsertOf(second.id, 'LID message');
    expect(lidBody.data).toMatchObject({ key: { remoteJid: ruiLid }, chatJid: jid(rui), senderPhone: `+${rui}`, senderLid: ruiLid });
    const location = await t.e.control.sendLocation(rui, t.phone, { latitude: 10, longitude: 20 });
    await upsertOf(location.id, 'LID location');

    // one chat, under the phone, holding all three; the LID finds the same chat
    const { all } = await historyWith(jid(rui), location.id);
    expect(all.items.map((m: { waMessageId: string }) => m.waMessageId)).toEqual(expect.arrayContaining([first.id, second.id, location.id]));
    for (const m of all.items) expect(m).toMatchObject({ chatJid: jid(rui), senderPhone: `+${rui}`, senderLid: ruiLid });
    const byLid = await api(t.e.app, t.cookie).get(`${base()}/chats/${encodeURIComponent(ruiLid)}/messages`);
    expect(byLid.body.data.total).toBe(all.total);
    const chats = await api(t.e.app, t.cookie).get(`${base()}/chats?pageSize=100`);
    const jids = chats.body.data.items.map((c: { jid: string }) => c.jid);
    expect(jids).toContain(jid(rui));
    expect(jids).not.toContain(ruiLid);
    const contacts = await api(t.e.app, t.cookie).get(`${base()}/contacts?search=${rui}`);
    expect(contacts.body.data.items).toEqual([expect.objectContaining({ jid: jid(rui), lid: ruiLid, phone: `+${rui}` })]);
    const contactsByLid = await api(t.e.app, t.cookie).get(`${base()}/contacts?search=${ruiLid.split('@')[0]}`);
    expect(contactsByLid.body.data.items.filter((c: { jid: string }) => c.jid === ruiLid)).toEqual([]);

    // the lookup routes, and the contact's addressing
    const mapping = await api(t.e.app, t.cookie).get(`${base()}/lids/${encodeURIComponent(ruiLid)}`);
    expect(mapping.status).toBe(200);
    expect(mapping.body.data).toMatchObject({ lid: ruiLid, jid: jid(rui), phone: `+${rui}`, addressing: 'lid', contact: { pushName: 'Rui' } });
    const byPhone = await api(t.e.app, t.cookie).get(`${base()}/lids?phone=${encodeURIComponent(`+${rui}`)}`);
    expect(byPhone.body.data).toMatchObject({ lid: ruiLid, phone: `+${rui}` });
    expect((await api(t.e.app, t.cookie).get(`${base()}/lids/${ruiLid.split('@')[0]}`)).body.data.lid).toBe(ruiLid);

    // a send to the phone goes where WhatsApp expects it for a LID-addressed contact: the LID; filed in the one chat
    const sent = await api(t.e.app, t.cookie).post(`${base()}/send-text`, { to: rui, message: 'resposta' });
    expect(sent.status).toBe(202);
    const entry = await eventually(async () => {
      const found = (await t.e.control.inbox(rui)).find((e) => e.type === 'text' && (e as { text?: string }).text === 'resposta');
      if (!found) throw new Error('not in the inbox yet');
      return found;
    });
    expect(entry.to).toBe(ruiLid);
    const mine = await api(t.e.app, t.cookie).get(`${base()}/messages/${sent.body.data.messageId}`);
    expect(mine.body.data.chatJid).toBe(jid(rui));
  });

  it('a contact first seen by LID and later by phone is one contact and one chat', async () => {
    const sol = await newContact(t.e, 'Sol');
    const solLid = (await t.e.control.createContact(sol, 'Sol')).lid;
    // We write to the LID first (nothing tells us its phone yet) ...
    const sent = await api(t.e.app, t.cookie).post(`${base()}/send-text`, { to: solLid, message: 'hello LID' });
    expect(sent.status).toBe(202);
    await eventually(async () => {
      if (!(await t.e.control.inbox(sol)).some((e) => (e as { text?: string }).text === 'hello LID')) throw new Error('not delivered');
    });
    // ... then the contact writes from its phone: the pair is learnt and the LID's chat merges into the phone's
    const reply = await t.e.control.sendFromContact(sol, { to: t.phone, text: 'hi, phone here' });
    await upsertOf(reply.id, 'reply by phone');
    const { all } = await historyWith(jid(sol), reply.id, () => true);
    await eventually(async () => {
      const res = await api(t.e.app, t.cookie).get(`${base()}/chats/${jid(sol)}/messages`);
      const ids = res.body.data.items.map((m: { id: string }) => m.id);
      if (!ids.includes(sent.body.data.messageId)) throw new Error(`the LID's message is not in the phone's chat: ${JSON.stringify(ids)}`);
    });
    expect(all.items.length).toBeGreaterThanOrEqual(1);
    const chats = await api(t.e.app, t.cookie).get(`${base()}/chats?pageSize=100`);
    const jids = chats.body.data.items.map((c: { jid: string }) => c.jid);
    expect(jids).toContain(jid(sol));
    expect(jids).not.toContain(solLid);
  });

  it("the server's LID announcement (lid-mapping.update) is kept and looked up", async () => {
    const tom = await newContact(t.e, 'Tom');
    const announced = await t.e.control.announceLid(tom, t.phone);
    const found = await eventually(async () => {
      const res = await api(t.e.app, t.cookie).get(`${base()}/lids?phone=${tom}`);
      if (res.status !== 200) throw new Error(`${res.status}`);
      return res.body.data;
    });
    expect(found).toMatchObject({ lid: announced.lid, jid: jid(tom), phone: `+${tom}`, addressing: null });
  });

  it('history sync: the pairs it carries are kept, and its contacts named by phone and LID', async () => {
    const hugo = await newContact(t.e, 'Hugo');
    const hugoLid = (await t.e.control.createContact(hugo, 'Hugo')).lid;
    const phone = freshPhone();
    await t.e.control.history(phone, { contacts: [{ phone: hugo, name: 'Hugo' }], chats: [{ phone: hugo }], messages: [] });
    const owner = await signup(t.e.app);
    const { instanceId } = await createInstance(t.e.app, owner.cookie);
    await t.e.pair(owner.cookie, instanceId, phone);
    const found = await eventually(async () => {
      const res = await api(t.e.app, owner.cookie).get(`/whatsapp/instances/${instanceId}/lids?phone=${hugo}`);
      if (res.status !== 200) throw new Error(`${res.status}`);
      return res.body.data;
    });
    expect(found).toMatchObject({ lid: hugoLid, jid: jid(hugo) });
    const contacts = await eventually(async () => {
      const res = await api(t.e.app, owner.cookie).get(`/whatsapp/instances/${instanceId}/contacts?search=${hugo}`);
      if (res.body.data.items[0]?.lid !== hugoLid) throw new Error(JSON.stringify(res.body.data));
      return res.body.data.items;
    });
    expect(contacts).toEqual([expect.objectContaining({ jid: jid(hugo), lid: hugoLid, phone: `+${hugo}` })]);
  });

  it('the lookup routes refuse bad input and answer 404 for unknown pairs', async () => {
    const get = (path: string) => api(t.e.app, t.cookie).get(`${base()}${path}`);
    expect((await get('/lids/not-a-lid')).status).toBe(400);
    expect((await get('/lids')).status).toBe(400);
    const badPhone = await get('/lids?phone=abc');
    expect(badPhone.status).toBe(400);
    expect(badPhone.body).toMatchObject({ success: false, error: { code: 'INVALID_PHONE' } });
    expect((await get(`/lids?phone=${encodeURIComponent('123@lid')}`)).status).toBe(400);
    const unknown = await get('/lids/999999999999999@lid');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ success: false, error: { code: 'LID_NOT_FOUND' } });
    expect((await get('/lids?phone=5511900009999')).status).toBe(404);
    const other = await api(t.e.app, t.cookie).get('/whatsapp/instances/inst_000000000000/lids/1@lid');
    expect([400, 404]).toContain(other.status);
  });

  it('the OpenAPI document lists the lookups and the kind fields', async () => {
    const doc = (await api(t.e.app, t.cookie).get('/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/whatsapp/instances/{instanceId}/lids/{lid}', '/whatsapp/instances/{instanceId}/lids']));
    expect(Object.keys(doc.components.schemas.MessageKindFields.properties)).toEqual(
      expect.arrayContaining(['senderPhone', 'senderLid', 'location', 'contacts', 'poll', 'sticker', 'reactions', 'edited', 'deleted']),
    );
  });
});

import { jest } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import request from 'supertest';
import type { InboxItem } from '../../src/simulator/control/control-client.js';
import { api, eventually, newContact, waitForStatus, type PairedTenant } from '../support/messaging.js';
import { startPairedWithWebhook, verifiedWebhooks } from '../support/verified-webhooks.js';
import { Receiver } from '../support/webhook-receiver.js';

jest.setTimeout(180_000);

let t: PairedTenant;
let secret: string;
let server: Server;
let site: string;
let png: Buffer;
let webp: Buffer;
let jpeg: Buffer;
const receiver = new Receiver();
const { webhook, received } = verifiedWebhooks(receiver, '/events', () => secret);

beforeAll(async () => {
  png = await sharp({ create: { width: 64, height: 48, channels: 4, background: { r: 200, g: 30, b: 30, alpha: 1 } } }).png().toBuffer();
  jpeg = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 10, g: 120, b: 200 } } }).jpeg().toBuffer();
  webp = await sharp({ create: { width: 512, height: 512, channels: 4, background: { r: 0, g: 200, b: 0, alpha: 0.5 } } }).webp().toBuffer();
  server = createServer((req, res) => {
    const page = (html: string) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    switch (req.url) {
      case '/sticker.png':
        res.writeHead(200, { 'content-type': 'image/png' }).end(png);
        return;
      case '/cover.jpg':
        res.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg);
        return;
      case '/article':
        page(
          `<html><head><title>fallback</title><meta property="og:title" content="Zap &amp; Engine launch">` +
            `<meta property="og:description" content="Every kind of WhatsApp message"><meta property="og:image" content="/cover.jpg"></head><body>hi</body></html>`,
        );
        return;
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  site = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await receiver.start();
  ({ t, secret } = await startPairedWithWebhook(receiver));
});
afterAll(async () => {
  await t?.e.close();
  await receiver.stop();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

const base = () => `/whatsapp/instances/${t.instanceId}`;
const jid = (p: string) => `${p}@s.whatsapp.net`;
const post = (path: string, body?: object) => api(t.e.app, t.cookie).post(`${base()}${path}`, body);
const getMessage = async (id: string) => (await api(t.e.app, t.cookie).get(`${base()}/messages/${id}`)).body.data as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The first inbox entry of `contact` that matches. */
async function inboxEntry(contact: string, match: (i: InboxItem) => boolean, what: string): Promise<InboxItem> {
  return eventually(async () => {
    const found = (await t.e.control.inbox(contact)).find(match);
    if (!found) throw new Error(`${contact} has no ${what} yet`);
    return found;
  }, 30_000, 150);
}

/** Sends, expects 202 queued, waits until WhatsApp took it; returns the message view. */
async function sent(path: string, body: object) {
  const res = await post(path, body);
  expect(res.status).toBe(202);
  expect(res.body).toEqual({ success: true, data: { messageId: expect.stringMatching(/^msg_/), status: 'queued' } });
  return waitForStatus(t.e.app, t.cookie, t.instanceId, res.body.data.messageId as string, ['sent', 'delivered', 'read'], 30_000);
}

async function messageCount(): Promise<number> {
  const rows = (await t.e.db.dataSource.query('SELECT count(*)::int AS n FROM messages WHERE instance_id = $1', [t.instanceId])) as Array<{ n: number }>;
  return rows[0]!.n;
}

describe('message kinds e2e: each kind sent by the engine arrives decrypted at a simulator contact', () => {
  it('send-location: a phone recipient gets a locationMessage with its fields; the view shows them; receipts move it on', async () => {
    const contact = await newContact(t.e, 'Lia');
    const view = await sent('/send-location', { to: `+${contact}`, latitude: -23.5505, longitude: -46.6333, name: 'Praça da Sé', address: 'São Paulo, SP' });
    expect(view).toMatchObject({ type: 'location', chatJid: jid(contact), location: { latitude: -23.5505, longitude: -46.6333, name: 'Praça da Sé', address: 'São Paulo, SP' } });
    const entry = await inboxEntry(contact, (i) => i.id === view.waMessageId, 'location');
    expect(entry).toMatchObject({ type: 'location', from: t.phone, location: { latitude: -23.5505, longitude: -46.6333, name: 'Praça da Sé', address: 'São Paulo, SP' } });
    await t.e.control.receipts(contact, t.phone, [view.waMessageId as string], 'read');
    await waitForStatus(t.e.app, t.cookie, t.instanceId, view.id as string, ['read']);
  });

  it('send-contact: one card → contactMessage, several → contactsArrayMessage, as vCards with waid', async () => {
    const contact = await newContact(t.e, 'Rui');
    const one = await sent('/send-contact', { to: contact, contacts: [{ name: 'Ana Souza', phones: ['+55 11 98888-7777'], org: 'Acme', email: 'ana@example.com' }] });
    expect(one.contacts).toEqual([{ name: 'Ana Souza', phones: ['5511988887777'], org: 'Acme', email: 'ana@example.com' }]);
    const card = await inboxEntry(contact, (i) => i.id === one.waMessageId, 'contact');
    expect(card.type).toBe('contact');
    expect(card.contacts).toEqual([expect.objectContaining({ name: 'Ana Souza', phones: ['5511988887777'], org: 'Acme', email: 'ana@example.com' })]);

    const many = await sent('/send-contact', {
      to: contact,
      contacts: [
        { name: 'Bia', phones: ['5521977776666'] },
        { name: 'Caio', phones: ['5531966665555', '5531955554444'] },
      ],
    });
    const cards = await inboxEntry(contact, (i) => i.id === many.waMessageId, 'contacts');
    expect(cards.type).toBe('contacts');
    expect(cards.contacts).toEqual([
      expect.objectContaining({ name: 'Bia', phones: ['5521977776666'] }),
      expect.objectContaining({ name: 'Caio', phones: ['5531966665555', '5531955554444'] }),
    ]);
  });

  it('send-sticker: a PNG by URL is converted to webp; a webp upload goes as it is; a text file is refused', async () => {
    const contact = await newContact(t.e, 'Stick');
    const byUrl = await sent('/send-sticker', { to: contact, stickerUrl: `${site}/sticker.png` });
    const converted = await inboxEntry(contact, (i) => i.id === byUrl.waMessageId, 'sticker');
    expect(converted).toMatchObject({ type: 'sticker', mimetype: 'image/webp' });
    expect(converted.mediaError).toBeUndefined();

    const upload = await request(t.e.app)
      .post(`${base()}/send-sticker`)
      .set('Cookie', t.cookie)
      .field('to', contact)
      .attach('file', webp, { filename: 's.webp', contentType: 'image/webp' });
    expect(upload.status).toBe(202);
    const uploaded = await waitForStatus(t.e.app, t.cookie, t.instanceId, upload.body.data.messageId, ['sent', 'delivered', 'read']);
    const entry = await inboxEntry(contact, (i) => i.id === uploaded.waMessageId, 'uploaded sticker');
    expect(entry).toMatchObject({ type: 'sticker', mimetype: 'image/webp', size: webp.length });

    const before = await messageCount();
    const text = await request(t.e.app)
      .post(`${base()}/send-sticker`)
      .set('Cookie', t.cookie)
      .field('to', contact)
      .attach('file', Buffer.from('not an image at all'), { filename: 'x.txt', contentType: 'text/plain' });
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('MEDIA_TYPE_NOT_ALLOWED');
    expect(await messageCount()).toBe(before);
  });

  it('link preview: a text with a URL carries title, description and thumbnail; linkPreview:false sends none', async () => {
    const contact = await newContact(t.e, 'Link');
    const withPreview = await sent('/send-text', { to: contact, message: `Veja: ${site}/article.` });
    const entry = await inboxEntry(contact, (i) => i.id === withPreview.waMessageId, 'text with preview');
    expect(entry.linkPreview).toMatchObject({ matchedText: `${site}/article`, title: 'Zap & Engine launch', description: 'Every kind of WhatsApp message' });
    expect(entry.linkPreview?.thumbnailSize).toBeGreaterThan(100);

    const without = await sent('/send-text', { to: contact, message: `Sem prévia: ${site}/article`, linkPreview: false });
    const plain = await inboxEntry(contact, (i) => i.id === without.waMessageId, 'text without preview');
    expect(plain.text).toBe(`Sem prévia: ${site}/article`);
    expect(plain.linkPreview).toBeUndefined();
  });

  it('a LID recipient, a quote and mentions: the location reaches the contact by its LID, replying and mentioning', async () => {
    const contact = await newContact(t.e, 'Lid');
    const other = await newContact(t.e, 'Other');
    const { lid } = await t.e.control.createContact(contact, 'Lid');
    const { id: inboundId } = await t.e.control.sendFromContact(contact, { to: t.phone, text: 'onde fica?' });
    await eventually(async () => {
      const res = await api(t.e.app, t.cookie).get(`${base()}/messages/${inboundId}`);
      if (res.status !== 200) throw new Error('inbound not stored yet');
    });
    const view = await sent('/send-location', { to: lid, latitude: 10, longitude: 20, quotedMessageId: inboundId, mentions: [other] });
    // Filed in the contact's one chat (its phone is known from its message), sent to the LID all the same.
    expect(view).toMatchObject({ chatJid: jid(contact), quotedWaMessageId: inboundId, mentions: [jid(other)] });
    const entry = await inboxEntry(contact, (i) => i.id === view.waMessageId, 'location by LID');
    expect(entry).toMatchObject({ type: 'location', to: lid, quotedId: inboundId, mentions: [jid(other)], location: { latitude: 10, longitude: 20 } });
  });
});

describe('message kinds e2e: a poll in a group, three voters changing their votes', () => {
  it('decrypts every vote, keeps the running tally on the message and sends messages.update with it', async () => {
    const ana = await newContact(t.e, 'Ana');
    const bia = await newContact(t.e, 'Bia');
    const caio = await newContact(t.e, 'Caio');
    const group = (await t.e.control.createGroup({ creator: ana, subject: 'Almoço', participants: [t.phone, bia, caio] })).jid;
    await webhook((b) => b.event === 'groups.upsert' && b.data.id === group, 'groups.upsert');

    const poll = await sent('/send-poll', { to: group, question: 'Onde almoçamos?', options: ['Pizza', 'Sushi', 'Salada'], mentionsEveryone: true });
    const pollId = poll.waMessageId as string;
    expect(poll.poll).toEqual({
      question: 'Onde almoçamos?',
      multipleAnswers: false,
      options: [
        { name: 'Pizza', votes: 0, voters: [] },
        { name: 'Sushi', votes: 0, voters: [] },
        { name: 'Salada', votes: 0, voters: [] },
      ],
      totalVoters: 0,
    });
    for (const member of [ana, bia, caio]) {
      const entry = await inboxEntry(member, (i) => i.id === pollId, 'poll');
      expect(entry).toMatchObject({ type: 'poll', group, poll: { question: 'Onde almoçamos?', options: ['Pizza', 'Sushi', 'Salada'], selectableCount: 1 } });
      expect(entry.mentions).toEqual(expect.arrayContaining([jid(ana), jid(bia), jid(caio)]));
    }

    const tallyIs = async (expected: Record<string, string[]>) =>
      eventually(async () => {
        const view = await getMessage(poll.id as string);
        const actual = Object.fromEntries((view.poll.options as Array<{ name: string; voters: string[] }>).map((o) => [o.name, o.voters]));
        expect(actual).toEqual(expected);
        return view;
      }, 20_000, 200);

    await t.e.control.sendToGroup(group, { from: ana, vote: { pollId, options: ['Pizza'] } });
    await t.e.control.sendToGroup(group, { from: bia, vote: { pollId, options: ['Sushi'] } });
    await t.e.control.sendToGroup(group, { from: caio, vote: { pollId, options: ['Pizza'] } });
    await tallyIs({ Pizza: [jid(ana), jid(caio)].sort(), Sushi: [jid(bia)], Salada: [] });

    // Everyone changes their mind: Bia to Pizza, Caio to Salada, Ana withdraws.
    await t.e.control.sendToGroup(group, { from: bia, vote: { pollId, options: ['Pizza'] } });
    await t.e.control.sendToGroup(group, { from: caio, vote: { pollId, options: ['Salada'] } });
    await t.e.control.sendToGroup(group, { from: ana, vote: { pollId, options: [] } });
    const final = await tallyIs({ Pizza: [jid(bia)], Sushi: [], Salada: [jid(caio)] });
    expect(final.poll).toMatchObject({ totalVoters: 2, options: [{ name: 'Pizza', votes: 1 }, { name: 'Sushi', votes: 0 }, { name: 'Salada', votes: 1 }] });

    // One messages.update per vote, each with the voter's choice and the tally as it stood.
    await webhook((b) => b.event === 'messages.update' && b.data.key?.id === pollId && b.data.pollUpdates?.[0]?.voter === jid(ana) && b.data.pollUpdates[0].selectedOptions.length === 0, 'withdrawn vote');
    const updates = received().filter((b) => b.event === 'messages.update' && b.data.key?.id === pollId && b.data.pollUpdates);
    expect(updates).toHaveLength(6);
    const last = updates.at(-1)!;
    expect(last.data).toMatchObject({
      key: { remoteJid: group, fromMe: true, id: pollId },
      messageId: poll.id,
      pollUpdates: [{ voter: jid(ana), selectedOptions: [] }],
      poll: { question: 'Onde almoçamos?', options: [{ name: 'Pizza', voters: [jid(bia)] }, { name: 'Sushi', voters: [] }, { name: 'Salada', voters: [jid(caio)] }] },
    });
    expect(updates.map((u) => u.data.pollUpdates[0].voter)).toEqual([ana, bia, caio, bia, caio, ana].map(jid));
  });
});

describe('message kinds e2e: react, edit, delete, forward', () => {
  it('react to a received message, then remove the reaction', async () => {
    const contact = await newContact(t.e, 'Rea');
    const { id } = await t.e.control.sendFromContact(contact, { to: t.phone, text: 'gostou?' });
    await eventually(async () => expect((await api(t.e.app, t.cookie).get(`${base()}/messages/${id}`)).status).toBe(200));
    const reaction = await sent(`/messages/${id}/react`, { emoji: '❤️' });
    expect(reaction).toMatchObject({ type: 'reaction', target: { waMessageId: id } });
    expect(await inboxEntry(contact, (i) => i.type === 'reaction' && i.emoji === '❤️', 'reaction')).toMatchObject({ targetId: id, from: t.phone });
    await eventually(async () => expect((await getMessage(id)).reactions).toEqual({ me: expect.objectContaining({ emoji: '❤️' }) }));

    await sent(`/messages/${id}/react`, { emoji: '' });
    expect(await inboxEntry(contact, (i) => i.type === 'reaction' && i.emoji === '', 'reaction removed')).toMatchObject({ targetId: id });
    await eventually(async () => expect((await getMessage(id)).reactions).toEqual({}));
    // the reaction is not a message of the chat
    const chat = await api(t.e.app, t.cookie).get(`${base()}/chats/${jid(contact)}/messages`);
    expect(chat.body.data.items.map((m: { type: string }) => m.type)).toEqual(['text']);
  });

  it('edit our text within 15 minutes; after the window 410; someone else’s message 403; nothing stored for a refusal', async () => {
    const contact = await newContact(t.e, 'Edi');
    const original = await sent('/send-text', { to: contact, message: 'reunião às 10h' });
    await sent(`/messages/${original.id}/edit`, { message: 'reunião às 11h' });
    expect(await inboxEntry(contact, (i) => i.type === 'edit', 'edit')).toMatchObject({ targetId: original.waMessageId, text: 'reunião às 11h' });
    await eventually(async () => expect(await getMessage(original.id as string)).toMatchObject({ text: 'reunião às 11h', editedAt: expect.any(String) }));

    const before = await messageCount();
    const { id: theirs } = await t.e.control.sendFromContact(contact, { to: t.phone, text: 'mensagem dele' });
    await eventually(async () => expect((await api(t.e.app, t.cookie).get(`${base()}/messages/${theirs}`)).status).toBe(200));
    const foreign = await post(`/messages/${theirs}/edit`, { message: 'hackeado' });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('NOT_OWN_MESSAGE');

    // Sent 16 minutes ago: WhatsApp's window is closed.
    await t.e.db.dataSource.query(
      `UPDATE messages SET sent_at = now() - interval '16 minutes', message_timestamp = now() - interval '16 minutes' WHERE id = $1`,
      [original.id],
    );
    const late = await post(`/messages/${original.id}/edit`, { message: 'tarde demais' });
    expect(late.status).toBe(410);
    expect(late.body.error.code).toBe('EDIT_WINDOW_CLOSED');
    expect(await messageCount()).toBe(before + 1); // only the contact's message
  });

  it('DELETE revokes for everyone; ?forMe=true deletes only here', async () => {
    const contact = await newContact(t.e, 'Del');
    const gone = await sent('/send-text', { to: contact, message: 'apagar para todos' });
    const revoke = await request(t.e.app).delete(`${base()}/messages/${gone.id}`).set('Cookie', t.cookie);
    expect(revoke.status).toBe(202);
    expect(await inboxEntry(contact, (i) => i.type === 'revoke', 'revoke')).toMatchObject({ targetId: gone.waMessageId });
    await eventually(async () => expect((await getMessage(gone.id as string)).revokedAt).toEqual(expect.any(String)));
    await webhook((b) => b.event === 'messages.delete' && b.data.key?.id === gone.waMessageId, 'messages.delete');
    const again = await request(t.e.app).delete(`${base()}/messages/${gone.id}`).set('Cookie', t.cookie);
    expect(again.status).toBe(409);

    const mine = await sent('/send-text', { to: contact, message: 'apagar só aqui' });
    const forMe = await request(t.e.app).delete(`${base()}/messages/${mine.id}?forMe=true`).set('Cookie', t.cookie);
    expect(forMe.status).toBe(200);
    expect(forMe.body.data).toEqual({ messageId: mine.id, deleted: true, forMe: true });
    expect((await api(t.e.app, t.cookie).get(`${base()}/messages/${mine.id}`)).status).toBe(404);
    await new Promise((r) => setTimeout(r, 300));
    expect((await t.e.control.inbox(contact)).filter((i) => i.type === 'revoke')).toHaveLength(1); // the contact still has it
  });

  it('forward a received text and one of our locations: they arrive marked forwarded', async () => {
    const from = await newContact(t.e, 'Fwd From');
    const to = await newContact(t.e, 'Fwd To');
    const { id } = await t.e.control.sendFromContact(from, { to: t.phone, text: 'repassa isso' });
    await eventually(async () => expect((await api(t.e.app, t.cookie).get(`${base()}/messages/${id}`)).status).toBe(200));
    const fwd = await sent(`/messages/${id}/forward`, { to });
    expect(fwd).toMatchObject({ chatJid: jid(to), type: 'text', text: 'repassa isso', forwarded: true });
    expect(await inboxEntry(to, (i) => i.id === fwd.waMessageId, 'forwarded text')).toMatchObject({ type: 'text', text: 'repassa isso', forwarded: true });

    const place = await sent('/send-location', { to: from, latitude: 1.5, longitude: 2.5, name: 'Aqui' });
    const fwdPlace = await sent(`/messages/${place.id}/forward`, { to });
    expect(await inboxEntry(to, (i) => i.id === fwdPlace.waMessageId, 'forwarded location')).toMatchObject({
      type: 'location',
      forwarded: true,
      location: { latitude: 1.5, longitude: 2.5, name: 'Aqui' },
    });
  });
});

describe('message kinds e2e: the OpenAPI document', () => {
  it('documents every kind route', async () => {
    const doc = await request(t.e.app).get('/openapi.json');
    expect(doc.status).toBe(200);
    const paths = doc.body.paths as Record<string, Record<string, unknown>>;
    const p = (suffix: string) => paths[`/whatsapp/instances/{instanceId}${suffix}`] ?? {};
    for (const kind of ['location', 'contact', 'sticker', 'poll']) expect(Object.keys(p(`/send-${kind}`))).toEqual(['post']);
    for (const action of ['react', 'edit', 'forward']) expect(Object.keys(p(`/messages/{messageId}/${action}`))).toEqual(['post']);
    expect(Object.keys(p('/messages/{messageId}')).sort()).toEqual(['delete', 'get']);
  });
});

describe('message kinds e2e: bad input gets a clear 4xx and stores nothing', () => {
  it('refuses out-of-range coordinates, bad polls, unknown targets, bad cards, mentionsEveryone outside a group', async () => {
    const contact = await newContact(t.e, 'Bad');
    const before = await messageCount();
    const cases: Array<[string, object, number, string]> = [
      ['/send-location', { to: contact, latitude: 91, longitude: 0 }, 400, 'VALIDATION_FAILED'],
      ['/send-location', { to: contact, latitude: 0, longitude: -180.5 }, 400, 'VALIDATION_FAILED'],
      ['/send-poll', { to: contact, question: 'Vazia?', options: [] }, 400, 'VALIDATION_FAILED'],
      ['/send-poll', { to: contact, question: 'Uma só?', options: ['sim'] }, 400, 'VALIDATION_FAILED'],
      ['/send-poll', { to: contact, question: 'Repetida?', options: ['a', 'a'] }, 400, 'VALIDATION_FAILED'],
      ['/send-poll', { to: contact, question: 'Demais?', options: Array.from({ length: 13 }, (_, i) => `o${i}`) }, 400, 'VALIDATION_FAILED'],
      ['/send-contact', { to: contact, contacts: [] }, 400, 'VALIDATION_FAILED'],
      ['/send-contact', { to: contact, contacts: [{ name: 'X', phones: ['abc'] }] }, 400, 'INVALID_PHONE'],
      ['/send-poll', { to: contact, question: 'Todos?', options: ['a', 'b'], mentionsEveryone: true }, 400, 'VALIDATION_FAILED'],
      ['/send-location', { to: '123', latitude: 0, longitude: 0 }, 400, 'INVALID_RECIPIENT'],
      ['/messages/3EB0UNKNOWN0000000000/react', { emoji: '👍' }, 404, 'MESSAGE_NOT_FOUND'],
      ['/messages/msg_doesnotexist/edit', { message: 'x' }, 404, 'MESSAGE_NOT_FOUND'],
      ['/messages/msg_doesnotexist/forward', { to: contact }, 404, 'MESSAGE_NOT_FOUND'],
      ['/send-sticker', { to: contact, stickerUrl: 'ftp://example.com/a.webp' }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [path, body, status, code] of cases) {
      const res = await post(path, body);
      expect({ path, body, status: res.status, code: res.body.error?.code }).toEqual({ path, body, status, code });
      expect(res.body.error.message).toEqual(expect.any(String));
    }
    const unknownDelete = await request(t.e.app).delete(`${base()}/messages/msg_doesnotexist`).set('Cookie', t.cookie);
    expect(unknownDelete.status).toBe(404);
    expect(await messageCount()).toBe(before);
  });
});

import { jest } from '@jest/globals';
import { api, eventually, newContact, type PairedTenant } from '../support/messaging.js';
import { startPairedWithWebhook, verifiedWebhooks } from '../support/verified-webhooks.js';
import { Receiver } from '../support/webhook-receiver.js';

jest.setTimeout(120_000);

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

const { received, webhook } = verifiedWebhooks(receiver, '/events', () => secret);

const base = () => `/whatsapp/instances/${t.instanceId}`;

describe('webhooks e2e: messaging events reach the receiver', () => {
  it('message in → messages.upsert in the seed shape', async () => {
    const contact = await newContact(t.e, 'João Silva');
    const { id } = await t.e.control.sendFromContact(contact, { to: t.phone, text: 'Olá!' });
    const body = await webhook((b) => b.event === 'messages.upsert' && b.data.key?.id === id, 'messages.upsert');
    expect(body).toMatchObject({
      event: 'messages.upsert',
      instance: { instanceId: t.instanceId },
      data: {
        key: { remoteJid: `${contact}@s.whatsapp.net`, fromMe: false, id },
        message: { conversation: 'Olá!' },
        messageType: 'conversation',
        pushName: 'João Silva',
        messageTimestamp: expect.stringMatching(/^\d+$/),
      },
    });
    expect(Object.keys(body.data.key).slice(0, 3)).toEqual(['remoteJid', 'fromMe', 'id']);
    // The ZapFlare document's example has the timestamp inside data.message: it is in both places.
    expect(body.data.message.messageTimestamp).toBe(body.data.messageTimestamp);
  });

  it('receipt → messages.update with the new status', async () => {
    const contact = await newContact(t.e, 'Maria');
    const sent = await api(t.e.app, t.cookie).post(`${base()}/send-text`, { to: contact, message: 'status?' });
    expect(sent.status).toBe(202);
    const mine = await eventually(async () => {
      const res = await api(t.e.app, t.cookie).get(`${base()}/messages/${sent.body.data.messageId}`);
      if (!res.body.data.waMessageId || res.body.data.status === 'queued') throw new Error('not sent yet');
      return res.body.data as { waMessageId: string };
    });
    await t.e.control.receipts(contact, t.phone, [mine.waMessageId], 'read');
    const body = await webhook((b) => b.event === 'messages.update' && b.data.key?.id === mine.waMessageId && b.data.status === 'read', 'messages.update read');
    expect(body.data.key).toMatchObject({ remoteJid: `${contact}@s.whatsapp.net`, fromMe: true, id: mine.waMessageId });
  });

  it('revoke → messages.delete', async () => {
    const contact = await newContact(t.e, 'Gabi');
    const { id } = await t.e.control.sendFromContact(contact, { to: t.phone, text: 'oops' });
    await webhook((b) => b.event === 'messages.upsert' && b.data.key?.id === id, 'the message first');
    await t.e.control.revoke(contact, t.phone, id);
    const body = await webhook((b) => b.event === 'messages.delete' && b.data.key?.id === id, 'messages.delete');
    expect(body.data.key).toMatchObject({ remoteJid: `${contact}@s.whatsapp.net`, fromMe: false, id });
  });

  it('presence → presence.update', async () => {
    const contact = await newContact(t.e, 'Dana');
    await t.e.control.sendFromContact(contact, { to: t.phone, text: 'typing next' });
    await t.e.control.presence(contact, t.phone, 'composing');
    const body = await webhook((b) => b.event === 'presence.update' && b.data.id === `${contact}@s.whatsapp.net`, 'presence.update');
    expect(Object.values(body.data.presences)).toEqual([expect.objectContaining({ lastKnownPresence: 'composing' })]);
  });

  it('contact name change → contacts.update', async () => {
    const contact = await newContact(t.e, 'Old Name');
    await t.e.control.sendFromContact(contact, { to: t.phone, text: 'hello' });
    await webhook((b) => b.event === 'messages.upsert' && b.data.key?.remoteJid === `${contact}@s.whatsapp.net`, 'first message');
    await t.e.control.renameContact(contact, 'New Name');
    await t.e.control.sendFromContact(contact, { to: t.phone, text: 'I have a new name' });
    const body = await webhook((b) => b.event === 'contacts.update' && JSON.stringify(b.data).includes('New Name'), 'contacts.update');
    expect(body.data.id).toContain(contact);
  });

  it('each event id carries its own sequence number (duplicates, if any, repeat both)', () => {
    const bodies = received();
    const byId = new Map(bodies.map((b) => [b.id, b.sequence]));
    expect(new Set([...byId.values()]).size).toBe(byId.size);
  });
});

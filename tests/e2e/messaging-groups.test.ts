import { jest } from '@jest/globals';
import { api, eventually, newContact, waitForStatus, type PairedTenant } from '../support/messaging.js';
import { startPairedWithWebhook, verifiedWebhooks } from '../support/verified-webhooks.js';
import { Receiver } from '../support/webhook-receiver.js';

jest.setTimeout(120_000);

let t: PairedTenant;
let secret: string;
let ana: string;
let bia: string;
let group: string;
const receiver = new Receiver();

beforeAll(async () => {
  await receiver.start();
  ({ t, secret } = await startPairedWithWebhook(receiver));
  ana = await newContact(t.e, 'Ana');
  bia = await newContact(t.e, 'Bia');
});
afterAll(async () => {
  await t?.e.close();
  await receiver.stop();
});

const { webhook } = verifiedWebhooks(receiver, '/events', () => secret);

const base = () => `/whatsapp/instances/${t.instanceId}`;
const jid = (p: string) => `${p}@s.whatsapp.net`;

describe('groups e2e: a contact’s group reaches the instance, and the instance talks in it', () => {
  it('a contact creates a group with the instance → groups.upsert; renames it → groups.update (signed webhooks)', async () => {
    const created = await t.e.control.createGroup({ creator: ana, subject: 'Equipe Vendas', participants: [t.phone, bia] });
    group = created.jid;

    const upsert = await webhook((b) => b.event === 'groups.upsert' && b.data.id === group, 'groups.upsert');
    expect(upsert).toMatchObject({
      instance: { instanceId: t.instanceId },
      data: { id: group, subject: 'Equipe Vendas', owner: jid(ana), creation: created.creation },
    });
    expect(upsert.data.participants).toEqual(
      expect.arrayContaining([
        { id: jid(ana), admin: 'superadmin' },
        { id: jid(t.phone), admin: null },
        { id: jid(bia), admin: null },
      ]),
    );

    await t.e.control.updateGroup(group, { by: ana, subject: 'Equipe Vendas SP' });
    const update = await webhook((b) => b.event === 'groups.update' && b.data.id === group && b.data.subject === 'Equipe Vendas SP', 'groups.update');
    expect(update.data).toMatchObject({ id: group, subject: 'Equipe Vendas SP' });
    expect(update.data.participants).toBeUndefined(); // a partial update carries only what changed
  });

  it('send-text to the group jid reaches every member contact', async () => {
    const res = await api(t.e.app, t.cookie).post(`${base()}/send-text`, { to: group, message: 'Bom dia, equipe!' });
    expect(res.status).toBe(202);
    const sent = await waitForStatus(t.e.app, t.cookie, t.instanceId, res.body.data.messageId as string, ['sent', 'delivered', 'read']);
    expect(sent).toMatchObject({ chatJid: group, fromMe: true, text: 'Bom dia, equipe!' });
    for (const member of [ana, bia]) {
      const entry = await eventually(async () => {
        const found = (await t.e.control.inbox(member)).find((m) => m.id === sent.waMessageId);
        if (!found) throw new Error(`${member} has not received it yet`);
        return found;
      });
      expect(entry).toMatchObject({ from: t.phone, group, type: 'text', text: 'Bom dia, equipe!' });
    }
  });

  it('a member’s message to the group is stored: the chat is a group and the message names its sender', async () => {
    const { id } = await t.e.control.sendToGroup(group, { from: bia, text: 'Bom dia! Reunião às 10h?' });
    const upsert = await webhook((b) => b.event === 'messages.upsert' && b.data.key?.id === id, 'group messages.upsert');
    expect(upsert.data).toMatchObject({
      key: { remoteJid: group, fromMe: false, id, participant: jid(bia) },
      message: { conversation: 'Bom dia! Reunião às 10h?' },
      pushName: 'Bia',
    });

    const chats = await eventually(async () => {
      const res = await api(t.e.app, t.cookie).get(`${base()}/chats`);
      const chat = (res.body.data.items as { jid: string; lastMessageTime: string | null }[]).find((c) => c.jid === group);
      if (!chat?.lastMessageTime) throw new Error(`group chat not updated yet: ${JSON.stringify(res.body.data.items)}`);
      return res.body.data.items as Record<string, unknown>[];
    });
    expect(chats.find((c) => c.jid === group)).toMatchObject({ jid: group, isGroup: true, name: 'Equipe Vendas SP', phone: null });
    const groupsOnly = await api(t.e.app, t.cookie).get(`${base()}/chats?isGroup=true`);
    expect(groupsOnly.body.data.items.map((c: { jid: string }) => c.jid)).toEqual([group]);

    const messages = await api(t.e.app, t.cookie).get(`${base()}/chats/${encodeURIComponent(group)}/messages`);
    expect(messages.status).toBe(200);
    const inbound = (messages.body.data.items as Record<string, unknown>[]).find((m) => m.waMessageId === id);
    expect(inbound).toMatchObject({ chatJid: group, fromMe: false, senderJid: jid(bia), pushName: 'Bia', type: 'text', text: 'Bom dia! Reunião às 10h?' });
    expect((messages.body.data.items as Record<string, unknown>[]).some((m) => m.fromMe && m.text === 'Bom dia, equipe!')).toBe(true);
  });
});

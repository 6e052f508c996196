import type { WaMessage } from '../../../src/engine/engine-types.js';
import { upsertEventData } from '../../../src/services/messages/inbound-content.js';
import { webhookEventDataSchemas } from '../../../src/services/webhooks/webhook-events.js';

/** The ZapFlare document's `messages.upsert` example, `data` part (seeds/002, "Estrutura do Webhook"). */
const DOCUMENT_EXAMPLE = {
  key: { remoteJid: '5511999999999@s.whatsapp.net', fromMe: false, id: 'BAE5C8F9A2B4E231' },
  message: { conversation: 'Olá!', messageTimestamp: '1704456789' },
  messageType: 'conversation',
  pushName: 'João Silva',
};

describe('messages.upsert webhook data', () => {
  const msg: WaMessage = {
    key: { id: 'BAE5C8F9A2B4E231', remoteJid: '5511999999999@s.whatsapp.net', fromMe: false, remoteJidAlt: null, participant: null, participantAlt: null, addressingMode: null },
    message: { conversation: 'Olá!' },
    messageType: 'conversation',
    text: 'Olá!',
    pushName: 'João Silva',
    messageTimestamp: 1704456789,
    status: null,
  };

  it('has the document example shape, messageTimestamp inside data.message, and also at data.messageTimestamp', () => {
    const data = upsertEventData(msg, null);
    expect(data).toMatchObject(DOCUMENT_EXAMPLE);
    expect(data.messageTimestamp).toBe('1704456789');
    expect(webhookEventDataSchemas['messages.upsert'].safeParse(data).success).toBe(true);
  });

  it('keeps a message without content as null', () => {
    expect(upsertEventData({ ...msg, message: null }, null).message).toBeNull();
  });

  it('in a group names the sender: participant as addressed, its phone and LID (from participantAlt)', () => {
    const group = { ...msg, key: { ...msg.key, remoteJid: '120363000000000001@g.us', participant: '5511988887777@s.whatsapp.net', participantAlt: '123456789@lid' } };
    const data = upsertEventData(group, null);
    expect(data.key).toEqual({ remoteJid: '120363000000000001@g.us', fromMe: false, id: 'BAE5C8F9A2B4E231', participant: '5511988887777@s.whatsapp.net', participantAlt: '123456789@lid' });
    expect(data.sender).toEqual({ jid: '5511988887777@s.whatsapp.net', phone: '+5511988887777', lid: '123456789@lid' });
    const lidAddressed = { ...group, key: { ...group.key, participant: '123456789@lid', participantAlt: '5511988887777@s.whatsapp.net' } };
    expect(upsertEventData(lidAddressed, null).sender).toEqual({ jid: '123456789@lid', phone: '+5511988887777', lid: '123456789@lid' });
    expect(webhookEventDataSchemas['messages.upsert'].safeParse(data).success).toBe(true);
    // 1:1 messages and our own have none
    expect(upsertEventData(msg, null)).not.toHaveProperty('sender');
    expect(upsertEventData({ ...group, key: { ...group.key, fromMe: true } }, null)).not.toHaveProperty('sender');
  });
});

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
});

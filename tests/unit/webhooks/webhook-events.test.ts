import {
  WEBHOOK_EVENTS,
  webhookEnvelopeSchema,
  webhookEventSchema,
  webhookEventsSubscriptionSchema,
} from '../../../src/services/webhooks/webhook-events.js';

const instance = { instanceName: 'Minha Instância', instanceId: 'inst_abc123abc123' };

describe('webhook events', () => {
  it('names the events of the API: the eight of the ZapFlare document and group-participants.update', () => {
    expect(WEBHOOK_EVENTS).toEqual([
      'connection.update',
      'messages.upsert',
      'messages.update',
      'messages.delete',
      'groups.update',
      'groups.upsert',
      'group-participants.update',
      'contacts.update',
      'presence.update',
    ]);
    expect(webhookEventSchema.safeParse('messages.upsert').success).toBe(true);
    expect(webhookEventSchema.safeParse('messages.created').success).toBe(false);
  });

  it('validates subscriptions: known names, no repeats', () => {
    expect(webhookEventsSubscriptionSchema.safeParse(['messages.upsert', 'connection.update']).success).toBe(true);
    expect(webhookEventsSubscriptionSchema.safeParse(['messages.upsert', 'nope']).success).toBe(false);
    expect(webhookEventsSubscriptionSchema.safeParse(['messages.upsert', 'messages.upsert']).success).toBe(false);
  });

  it('accepts the seed body plus id, timestamp and sequence', () => {
    const seed = {
      event: 'messages.upsert',
      instance,
      data: {
        key: { remoteJid: '5511999999999@s.whatsapp.net', fromMe: false, id: 'BAE5C8F9A2B4E231' },
        message: { conversation: 'Olá!', messageTimestamp: '1704456789' },
        messageType: 'conversation',
        pushName: 'João Silva',
        messageTimestamp: '1704456789',
      },
    };
    const parsed = webhookEnvelopeSchema.parse({ ...seed, id: 'evt_1', timestamp: '2024-01-05T12:13:09.000Z', sequence: 42 });
    expect(parsed.event).toBe('messages.upsert');
    expect(webhookEnvelopeSchema.safeParse(seed).success).toBe(false);
  });

  it('checks data against the event', () => {
    const envelope = (event: string, sequence: number, data: unknown) =>
      webhookEnvelopeSchema.safeParse({ id: 'evt_1', event, timestamp: '2026-01-01T00:00:00.000Z', sequence, instance, data });
    const qr = { status: 'qr', reason: 'qr', phone: null, qrCode: { base64: 'data:image/png;base64,AAAA', expiry: 20, attemptId: 'qr_attempt_1' } };
    expect(envelope('connection.update', 1, qr).success).toBe(true);
    expect(envelope('messages.delete', 2, {}).success).toBe(false);
    expect(envelope('connection.update', -1, { status: 'connected' }).success).toBe(false);
    expect(envelope('connection.update', 1, { status: 'online' }).success).toBe(false);
    expect(envelope('webhook.nope', 1, {}).success).toBe(false);
    const added = { id: '120363000000000001@g.us', author: '5511999999999@s.whatsapp.net', action: 'add', participants: [{ id: '5511888888888@s.whatsapp.net', phone: '+5511888888888' }] };
    expect(envelope('group-participants.update', 3, added).success).toBe(true);
    expect(envelope('group-participants.update', 3, { ...added, action: 'kick' }).success).toBe(false);
    expect(envelope('group-participants.update', 3, { ...added, participants: undefined }).success).toBe(false);
  });

  it('keeps extra fields the engine adds (loose data)', () => {
    const parsed = webhookEnvelopeSchema.parse({
      id: 'evt_2',
      event: 'messages.update',
      timestamp: '2026-01-01T00:00:00.000Z',
      instance,
      sequence: 3,
      data: { key: { remoteJid: '1@s.whatsapp.net', fromMe: true, id: 'X' }, status: 'read', messageId: 'msg_1' },
    });
    expect(parsed.data).toMatchObject({ status: 'read', messageId: 'msg_1' });
  });
});

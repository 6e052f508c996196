import {
  buildWebhookEnvelope,
  isSubscribed,
  WEBHOOK_EVENTS,
  webhookEnvelopeSchema,
  webhookEventSchema,
  webhookEventsSubscriptionSchema,
} from '../../../src/services/webhooks/webhook-events.js';

const instance = { instanceName: 'Minha Instância', instanceId: 'inst_abc123abc123' };

describe('webhook events', () => {
  it('names the eight events of the API', () => {
    expect(WEBHOOK_EVENTS).toEqual([
      'connection.update',
      'messages.upsert',
      'messages.update',
      'messages.delete',
      'groups.update',
      'groups.upsert',
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
    expect(isSubscribed(null, 'presence.update')).toBe(true);
    expect(isSubscribed(['messages.upsert'], 'presence.update')).toBe(false);
    expect(isSubscribed(['messages.upsert'], 'messages.upsert')).toBe(true);
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

  it('builds envelopes with a fresh id and checks data against the event', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const envelope = buildWebhookEnvelope({
      event: 'connection.update',
      instance,
      sequence: 1,
      data: { status: 'qr', reason: 'qr', phone: null, qrCode: { base64: 'data:image/png;base64,AAAA', expiry: 20, attemptId: 'qr_attempt_1' } },
      at,
    });
    expect(envelope).toMatchObject({ event: 'connection.update', timestamp: '2026-01-01T00:00:00.000Z', sequence: 1, instance });
    expect(envelope.id).toMatch(/^evt_[A-Za-z0-9_-]{20}$/);
    expect(() =>
      buildWebhookEnvelope({ event: 'messages.delete', instance, sequence: 2, data: {} as never }),
    ).toThrow();
    expect(() =>
      buildWebhookEnvelope({ event: 'connection.update', instance, sequence: -1, data: { status: 'connected' } }),
    ).toThrow();
    expect(() =>
      buildWebhookEnvelope({ event: 'connection.update', instance, sequence: 1, data: { status: 'online' as never } }),
    ).toThrow();
  });

  it('keeps extra fields the engine adds (loose data)', () => {
    const envelope = buildWebhookEnvelope({
      event: 'messages.update',
      instance,
      sequence: 3,
      data: { key: { remoteJid: '1@s.whatsapp.net', fromMe: true, id: 'X' }, status: 'read', messageId: 'msg_1' },
    });
    expect(envelope.data).toMatchObject({ status: 'read', messageId: 'msg_1' });
  });
});

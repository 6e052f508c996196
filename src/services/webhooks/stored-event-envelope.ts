import type { WebhookEventEntity } from '../../persistence/entities/webhook-event.entity.js';

/** The body every webhook request and SSE message carries: `{ id, event, timestamp, sequence, instance, data }`. */
export interface StoredEventEnvelope {
  id: string;
  event: string;
  timestamp: string;
  sequence: number;
  instance: { instanceName: string; instanceId: string };
  data: unknown;
}

/** The envelope of an outbox row; built from the row alone, so every retry and redelivery sends the same bytes. */
export function envelopeOf(event: WebhookEventEntity): StoredEventEnvelope {
  return {
    id: event.id,
    event: event.event,
    timestamp: event.createdAt.toISOString(),
    sequence: event.sequence,
    instance: { instanceName: event.instanceName, instanceId: event.instanceId },
    data: event.payload ?? {},
  };
}

/** The exact JSON body (what gets signed). */
export function envelopeBody(event: WebhookEventEntity): string {
  return JSON.stringify(envelopeOf(event));
}

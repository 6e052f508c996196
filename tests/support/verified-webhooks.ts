/** What the e2e tests read from a Receiver: webhook bodies whose signature and envelope were checked. */
import { expect } from '@jest/globals';
import request from 'supertest';
import { webhookEnvelopeSchema } from '../../src/services/webhooks/webhook-events.js';
import { verifyWebhook } from '../../src/services/webhooks/webhook-signer.js';
import { startPaired, type PairedTenant } from './messaging.js';
import { waitFor, type Receiver } from './webhook-receiver.js';

export interface WebhookBody {
  id: string;
  event: string;
  sequence: number;
  instance: { instanceId: string; instanceName: string };
  data: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * The bodies `receiver` got on `path`, each verified against the instance's secret (read when called, so it
 * may be set after this) and the published envelope schema; `webhook` waits for the first that matches.
 */
export function verifiedWebhooks(receiver: Receiver, path: string, secret: () => string) {
  const received = (): WebhookBody[] =>
    receiver.hitsOf(path).map((h) => {
      expect(verifyWebhook({ secret: secret(), headers: h.headers, body: h.body }).ok).toBe(true);
      const body = JSON.parse(h.body) as WebhookBody;
      const contract = webhookEnvelopeSchema.safeParse(body);
      if (!contract.success) throw new Error(`${body.event} body breaks the documented shape: ${contract.error.message}`);
      return body;
    });
  const webhook = async (match: (b: WebhookBody) => boolean, what: string): Promise<WebhookBody> => {
    await waitFor(() => received().some(match), 20_000, what);
    return received().find(match)!;
  };
  return { received, webhook };
}

/** A paired instance (fast webhook retries, private URLs allowed) whose webhook URL is `receiver`'s `path`. */
export async function startPairedWithWebhook(receiver: Receiver, path = '/events'): Promise<{ t: PairedTenant; secret: string }> {
  const t = await startPaired({
    env: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_POLL_INTERVAL_MS: '200', WEBHOOK_BACKOFF_BASE_MS: '100', WEBHOOK_BACKOFF_MAX_MS: '500' },
  });
  const put = await request(t.e.app).put(`/whatsapp/instances/${t.instanceId}`).set('Cookie', t.cookie).send({ webhookUrl: receiver.url(path) });
  expect(put.status).toBe(200);
  return { t, secret: put.body.data.webhookSecret as string };
}

import { Router, type RequestHandler, type Response } from 'express';
import { UnauthorizedError } from '../../errors/unauthorized-error.js';
import type { EventStreams, EventStreamSink } from '../../services/webhooks/event-stream.js';
import type { WebhooksService } from '../../services/webhooks/webhooks-service.js';
import { InstanceIdParamsSchema } from '../schemas/instance-schemas.js';
import { DeliveriesQuerySchema, DeliveryParamsSchema, TenantEventsQuerySchema } from '../schemas/webhook-schemas.js';
import { validate } from '../validate.js';

export interface WebhooksRouterDeps {
  webhooks: WebhooksService;
  streams: EventStreams;
  authenticate: RequestHandler;
}

/** Server-Sent Events over an Express response. */
function sseSink(res: Response): EventStreamSink {
  return {
    event(id, name, data) {
      return res.write(`id: ${id}\nevent: ${name}\ndata: ${data}\n\n`);
    },
    comment(text) {
      res.write(`: ${text}\n\n`);
    },
    end() {
      res.end();
    },
    drained() {
      return new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.once('drain', done);
        res.once('close', done);
      });
    },
  };
}

/**
 * Sends the SSE status and headers now, opens the stream on the response, and closes it when the client goes
 * (also when it went while the stream was opening).
 */
async function serveSse(res: Response, open: (sink: EventStreamSink) => Promise<{ close(): void }>): Promise<void> {
  startSse(res);
  let stream: { close(): void } | null = null;
  let gone = false;
  res.on('close', () => {
    gone = true;
    stream?.close();
  });
  stream = await open(sseSink(res));
  if (gone) stream.close();
}

/** The status and headers of an SSE response, sent now, with the client's reconnect delay. */
function startSse(res: Response): void {
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  res.write('retry: 3000\n\n');
}

function lastEventIdOf(header: string | undefined, query: unknown): number | null {
  const raw = header ?? (typeof query === 'string' ? query : undefined);
  if (raw === undefined || !/^\d{1,15}$/.test(raw.trim())) return null;
  return Number(raw.trim());
}

/** Webhook secret, delivery log, redelivery, test event and the live event stream of an instance. */
export function webhooksRouter(deps: WebhooksRouterDeps): Router {
  const router = Router();
  const base = '/whatsapp/instances/:instanceId';
  router.use('/whatsapp/instances', deps.authenticate);
  const tenantOf = (req: Express.Request) => {
    if (!req.principal) throw new UnauthorizedError();
    return req.principal.tenantId;
  };

  router.post(`${base}/webhook-secret/rotate`, async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    res.json({ success: true, data: { webhookSecret: await deps.webhooks.rotateSecret(tenantOf(req), instanceId) } });
  });

  router.get(`${base}/webhook-deliveries`, async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    const { status, event, page, pageSize } = validate(DeliveriesQuerySchema, req.query, 'query');
    const result = await deps.webhooks.listDeliveries(tenantOf(req), instanceId, { status, event }, { page, pageSize });
    res.json({ success: true, data: result.items, pagination: { page: result.page, pageSize: result.pageSize, total: result.total } });
  });

  router.get(`${base}/webhook-deliveries/:deliveryId`, async (req, res) => {
    const { instanceId, deliveryId } = validate(DeliveryParamsSchema, req.params, 'params');
    res.json({ success: true, data: await deps.webhooks.getDelivery(tenantOf(req), instanceId, deliveryId) });
  });

  router.post(`${base}/webhook-deliveries/:deliveryId/redeliver`, async (req, res) => {
    const { instanceId, deliveryId } = validate(DeliveryParamsSchema, req.params, 'params');
    res.status(202).json({ success: true, data: await deps.webhooks.redeliver(tenantOf(req), instanceId, deliveryId) });
  });

  router.post(`${base}/webhook/test`, async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    res.json({ success: true, data: await deps.webhooks.sendTest(tenantOf(req), instanceId) });
  });

  router.get(`${base}/events`, async (req, res) => {
    const { instanceId } = validate(InstanceIdParamsSchema, req.params, 'params');
    const tenantId = tenantOf(req);
    await deps.webhooks.instanceOf(tenantId, instanceId);
    deps.streams.admit(tenantId); // 429 before the stream's headers go out
    const lastEventId = lastEventIdOf(req.get('last-event-id'), req.query.lastEventId);
    await serveSse(res, (sink) => deps.streams.openStream(instanceId, tenantId, lastEventId, sink));
  });

  // The tenant's instances in one connection (the dashboard's instance list): the same events, starting now.
  router.get('/whatsapp/events', deps.authenticate, async (req, res) => {
    const tenantId = tenantOf(req);
    const { events } = validate(TenantEventsQuerySchema, req.query, 'query');
    deps.streams.admit(tenantId); // 429 before the stream's headers go out
    const instanceIds = await deps.webhooks.instanceIdsOf(tenantId);
    await serveSse(res, (sink) => deps.streams.openTenantStream(tenantId, instanceIds, sink, events ? new Set(events) : undefined));
  });

  return router;
}

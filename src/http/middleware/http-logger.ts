import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp, type Options } from 'pino-http';
import { serializeError } from '../../log-error-serializer.js';
import '../request-context.js';

/** One child logger per request (req.log), carrying the request id; 5xx at error, 4xx at warn. */
export function httpLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger: logger as unknown as Options['logger'],
    genReqId: (req: IncomingMessage) => (req as IncomingMessage & { requestId?: string }).requestId ?? '',
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    serializers: {
      req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: serializeError,
    },
  }) as unknown as RequestHandler;
}

import type { RequestHandler } from 'express';
import type { Level, Logger } from 'pino';
import '../request-context.js';

/**
 * One access log line per request, written when the response has finished or the client went away first: 5xx at
 * error, 4xx and aborted at warn, the rest at info, with the request id, method, URL, client address, status and
 * time taken.
 * The URL is the path and query the client sent; bodies, headers and cookies are never logged.
 *
 * No logger per request (pino-http made a child logger for every request, with its bindings serialized, and did so
 * at any level): here a request whose line the level drops costs one timestamp and one listener.
 */
export function httpLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.once('close', () => {
      const finished = res.writableFinished;
      const status = res.statusCode;
      const level: Level = status >= 500 ? 'error' : !finished || status >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        {
          req: { id: req.requestId, method: req.method, url: req.originalUrl, remoteAddress: req.socket.remoteAddress },
          res: { statusCode: status },
          responseTime: Math.round(performance.now() - started),
        },
        finished ? 'request completed' : 'request aborted',
      );
    });
    next();
  };
}

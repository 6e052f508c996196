import type { RequestHandler } from 'express';

/**
 * Adds `Server-Timing: app;dur=<ms>` to every response: the time from the request reaching the app to its
 * headers being written. Clients and benchmarks can tell the server's share of a request's latency from the
 * network's and their own (browsers show it in their developer tools).
 */
export function serverTiming(): RequestHandler {
  return (_req, res, next) => {
    const started = process.hrtime.bigint();
    const writeHead = res.writeHead;
    res.writeHead = function (this: typeof res, ...args: Parameters<typeof res.writeHead>) {
      if (!this.headersSent) {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        this.setHeader('Server-Timing', `app;dur=${ms.toFixed(1)}`);
      }
      return writeHead.apply(this, args);
    } as typeof res.writeHead;
    next();
  };
}

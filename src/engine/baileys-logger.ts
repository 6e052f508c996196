import type { Logger } from 'pino';

/** The logger interface Baileys expects (its ILogger), without importing Baileys here. */
export interface BaileysLoggerLike {
  level: string;
  child(obj: Record<string, unknown>): BaileysLoggerLike;
  trace(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/**
 * Wraps our pino logger for Baileys so its chatter stays below `debug`: Baileys' info, warn and
 * error become debug, its debug and trace become trace. Our own code logs the decisions that
 * matter (disconnects, reconnects, statuses) at info/warn.
 */
export function createBaileysLogger(logger: Logger): BaileysLoggerLike {
  const wrap = (target: Logger): BaileysLoggerLike => ({
    get level() {
      return target.level;
    },
    child: (obj) => wrap(target.child(obj)),
    trace: (obj, msg) => target.trace(obj, msg),
    debug: (obj, msg) => target.trace(obj, msg),
    info: (obj, msg) => target.debug(obj, msg),
    warn: (obj, msg) => target.debug(obj, msg),
    error: (obj, msg) => target.debug(obj, msg),
  });
  return wrap(logger.child({ component: 'baileys' }));
}

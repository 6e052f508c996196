import type { Logger } from 'pino';

/** Prefixes of what libsignal (and Baileys' signal layer) print with console.* directly. */
const SIGNAL_CHATTER =
  /^(Closing session|Opening session|Removing old closed session|Migrating session|Session already|Closing open session|Decrypted message with closed session|Failed to decrypt message|Session error|V1 session storage|WARNING: Expected pubkey|Unhandled bucket type)/;

type ConsoleMethod = 'log' | 'info' | 'warn' | 'error';

/**
 * Routes libsignal's console chatter (it prints whole session objects) to `logger.debug`, so it
 * stays out of the logs below debug level. Process-global: call once from main.ts. Returns a
 * function that puts the original console methods back.
 */
export function routeSignalConsole(logger: Logger): () => void {
  const log = logger.child({ component: 'libsignal' });
  const originals = new Map<ConsoleMethod, (...args: unknown[]) => void>();
  for (const method of ['log', 'info', 'warn', 'error'] as const) {
    const original = console[method];
    originals.set(method, original);
    console[method] = (...args: unknown[]) => {
      const first = typeof args[0] === 'string' ? args[0] : '';
      if (SIGNAL_CHATTER.test(first)) {
        if (log.isLevelEnabled('debug')) log.debug({ method }, first);
        return;
      }
      original.apply(console, args);
    };
  }
  return () => {
    for (const [method, original] of originals) console[method] = original;
  };
}

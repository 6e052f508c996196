import pino, { type Logger } from 'pino';
import type { Config } from './config/config.js';
import { serializeError } from './log-error-serializer.js';

/** The root logger. Credentials are redacted wherever they might appear; query parameters are never logged. */
export function createLogger(config: Pick<Config, 'logLevel' | 'nodeId'>, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: { nodeId: config.nodeId },
    // Database errors are logged with their code and statement name, never their parameters.
    serializers: { err: serializeError },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.token',
        '*.key',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * `npm run simulator -- --port 7777 [--host 127.0.0.1] [--seed my-seed] [--cert-dir .sandbox/certs] [--log-level info] [--no-media]`
 * Prints one JSON line when ready: {"wsUrl","controlUrl","rootPublicKey","caFile"}. Logs go to stderr.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { startSimulator } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '7777' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string' },
    'cert-dir': { type: 'string' },
    'log-level': { type: 'string', default: 'warn' },
    'no-media': { type: 'boolean', default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(`invalid --port ${values.port}\n`);
  process.exit(2);
}

const logger = pino({ level: values['log-level'] }, pino.destination(2));
const sim = await startSimulator({
  port,
  host: values.host,
  seed: values.seed,
  certDir: values['cert-dir'],
  logger,
  media: !values['no-media'],
});
process.stdout.write(`${JSON.stringify({ wsUrl: sim.wsUrl, controlUrl: sim.controlUrl, rootPublicKey: sim.rootPublicKey, caFile: sim.caFile ?? null })}\n`);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'simulator stopping');
  const timer = setTimeout(() => process.exit(1), 5_000);
  timer.unref();
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

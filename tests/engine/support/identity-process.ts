/**
 * A process that claims a NodeIdentity and keeps it, for the tests that kill real processes
 * (tests/engine/node-identity-process.test.ts). Prints one JSON line per event on stdout:
 * `{"claimed":{bootId,pid,previous}}` once claimed, `{"taken":true}` if another process took the identity,
 * `{"error":message}` if the claim failed (then exits 1).
 *
 *   node --import tsx tests/engine/support/identity-process.ts <redisUrl> <keyPrefix> <nodeId> <ttlMs>
 */
import { Redis } from 'ioredis';
import pino from 'pino';
import { NodeIdentity } from '../../../src/engine/node-identity.js';

const [redisUrl, keyPrefix, nodeId, ttl] = process.argv.slice(2);
if (!redisUrl || !keyPrefix || !nodeId || !ttl) throw new Error('usage: identity-process.ts <redisUrl> <keyPrefix> <nodeId> <ttlMs>');
const say = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value)}\n`);
const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
const identity = new NodeIdentity({
  redis,
  keyPrefix,
  nodeId,
  ttlMs: Number(ttl),
  logger: pino({ level: 'silent' }),
  onTaken: () => say({ taken: true }),
});
try {
  const { previous } = await identity.claim();
  say({ claimed: { bootId: identity.bootId, pid: process.pid, previous } });
} catch (err) {
  say({ error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
}
process.on('SIGTERM', () => void identity.close().then(() => process.exit(0)));

/**
 * bench/scale in short mode: the product as `npm start` runs it (its own process, production mode), the simulator in
 * another process, N instances paired through the API, a restart, one message each way per instance. Asserts
 * counts only (never time): every instance paired and live again after the restart without a QR, Redis
 * connections that do not grow with the instances, every message delivered exactly once.
 */
import { runScale } from '../../bench/support/scale-run.js';

const N = Number(process.env.SCALE_SHORT_N ?? 20);

describe('bench/scale, short mode', () => {
  it(`pairs ${N} instances, restarts them all without a QR, and moves one message each way per instance exactly once`, async () => {
    const result = await runScale({
      n: N,
      batch: 10,
      perTenant: 50,
      every: 10,
      settleSeconds: 1,
      idleSeconds: 1,
      restart: true,
      messages: true,
    });
    expect(result.paired).toBe(N);
    // Send lanes: a fixed number of Redis connections, whatever the number of instances.
    const redis = result.samples.map((s) => s.redisConnections);
    expect(Math.max(...redis)).toBeLessThanOrEqual(20);
    expect(redis[redis.length - 1]).toBeLessThanOrEqual(redis[1]!);
    expect(result.restart).toMatchObject({ live: N, qrCodes: 0 });
    expect(result.messages?.out).toMatchObject({ sent: N, delivered: N, lost: 0, duplicated: 0 });
    expect(result.messages?.in).toMatchObject({ sent: N, delivered: N, lost: 0, duplicated: 0 });
  }, 900_000);
});

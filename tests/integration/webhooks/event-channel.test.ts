import pino from 'pino';
import { RedisEventChannel, type EventSignal } from '../../../src/persistence/redis/event-channel.js';
import { RedisKeys } from '../../../src/persistence/redis/redis-keys.js';
import { createTestRedis, type TestRedis } from '../../support/redis.js';
import { waitFor } from './webhook-kit.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await createTestRedis();
});
afterAll(async () => {
  await redis.close();
});

const logger = pino({ level: 'silent' });

describe('RedisEventChannel', () => {
  it('tells its own listeners at once, once; other nodes get a burst coalesced into one signal per instance', async () => {
    const keys = new RedisKeys(redis.prefix);
    const connections = [redis.redis.duplicate(), redis.redis.duplicate()];
    const here = new RedisEventChannel(connections[0]!, keys, logger);
    const there = new RedisEventChannel(connections[1]!, keys, logger);
    const heardHere: EventSignal[] = [];
    const heardThere: EventSignal[] = [];
    await here.listen((s) => heardHere.push(s));
    await there.listen((s) => heardThere.push(s));
    try {
      here.notifyAppended('inst_a', 1, 1);
      // Synchronously: no Redis round trip for this node's own listeners.
      expect(heardHere).toEqual([{ kind: 'appended', instanceId: 'inst_a', lastSequence: 1, deliveries: 1 }]);
      here.notifyAppended('inst_a', 2, 0);
      here.notifyAppended('inst_b', 7, 0);
      here.notifyAppended('inst_a', 3, 2);
      await waitFor(() => heardThere.length >= 2, 5000, 'the other node');
      await new Promise((r) => setTimeout(r, 100));
      expect(heardThere).toEqual([
        { kind: 'appended', instanceId: 'inst_a', lastSequence: 3, deliveries: 3 },
        { kind: 'appended', instanceId: 'inst_b', lastSequence: 7, deliveries: 0 },
      ]);
      // Its own messages coming back from Redis are not heard a second time.
      expect(heardHere).toHaveLength(4);
      // An unknown delivery count in a burst stays unknown (runners must wake).
      there.notifyAppended('inst_c', 1);
      there.notifyAppended('inst_c', 2, 0);
      await waitFor(() => heardHere.length >= 5, 5000, 'back here');
      expect(heardHere[4]).toEqual({ kind: 'appended', instanceId: 'inst_c', lastSequence: 2 });
    } finally {
      await here.close();
      await there.close();
      for (const c of connections) c.disconnect();
    }
  });

  it('publishes nothing while no other node listens, and starts once one does', async () => {
    const keys = new RedisKeys(`${redis.prefix}:lone`);
    const connections = [redis.redis.duplicate(), redis.redis.duplicate()];
    const lone = new RedisEventChannel(connections[0]!, keys, logger, { probeIntervalMs: 60_000 });
    const published: string[] = [];
    const publish = connections[0]!.publish.bind(connections[0]!);
    connections[0]!.publish = ((channel: string, message: string) => {
      published.push(message);
      return publish(channel, message);
    }) as typeof connections[0]['publish'];
    const heard: EventSignal[] = [];
    await lone.listen((s) => heard.push(s));
    const later = new RedisEventChannel(connections[1]!, keys, logger);
    try {
      await lone.probe();
      lone.notifyAppended('inst_a', 1, 1);
      lone.notifyDue();
      await new Promise((r) => setTimeout(r, 50));
      expect(heard).toHaveLength(2); // its own listeners still hear at once
      expect(published).toEqual([]);
      // Another node starts listening: after the next count, signals go out again.
      const heardLater: EventSignal[] = [];
      await later.listen((s) => heardLater.push(s));
      await lone.probe();
      lone.notifyAppended('inst_a', 2, 1);
      await waitFor(() => heardLater.length === 1, 5000, 'the node that joined');
      expect(heardLater[0]).toEqual({ kind: 'appended', instanceId: 'inst_a', lastSequence: 2, deliveries: 1 });
      expect(published).toHaveLength(1);
    } finally {
      await lone.close();
      await later.close();
      for (const c of connections) c.disconnect();
    }
  });
});

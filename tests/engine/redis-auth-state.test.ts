import { randomBytes } from 'node:crypto';
import { BufferJSON, initAuthCreds, proto } from '@whiskeysockets/baileys';
import type { Redis } from 'ioredis';
import { AuthStateDecryptError } from '../../src/engine/engine-errors.js';
import { RedisAuthState } from '../../src/engine/redis-auth-state.js';
import { createRedis } from '../../src/persistence/redis/create-redis.js';
import { libsignal } from '../../src/simulator/signal/libsignal.js';
import { startPrivateRedis } from '../support/private-dependencies.js';
import { connectRedis, deleteUnder, keysUnder, uniquePrefix } from './support/redis.js';
import { realSenderKey, realSessions } from './support/signal-values.js';

const prefix = uniquePrefix('engine-auth');
const key = randomBytes(32);
let redis: Redis;

beforeAll(() => {
  redis = connectRedis();
});
afterAll(async () => {
  await deleteUnder(redis, prefix);
  redis.disconnect();
});

const store = (instanceId: string, encryptionKey = key) => new RedisAuthState({ redis, keyPrefix: prefix, instanceId, encryptionKey });

describe('RedisAuthState', () => {
  it('starts with fresh creds and round-trips them, Buffers included', async () => {
    const auth = store('creds-rt');
    const state = await auth.load();
    expect(state.creds.registered).toBe(false);
    state.creds.me = { id: '5511999990000:3@s.whatsapp.net', name: 'Ana' };
    await auth.saveCreds();

    const again = await store('creds-rt').load();
    expect(again.creds.me?.id).toBe('5511999990000:3@s.whatsapp.net');
    expect(Buffer.isBuffer(again.creds.noiseKey.private)).toBe(true);
    expect(Buffer.from(again.creds.noiseKey.private).equals(Buffer.from(state.creds.noiseKey.private))).toBe(true);
    expect(again.creds.signedPreKey.keyId).toBe(state.creds.signedPreKey.keyId);
    await expect(store('creds-rt').isRegistered()).resolves.toBe(true);
  });

  it('stores signal keys of several types and reads them back in one batch per type', async () => {
    const auth = store('keys-rt');
    await auth.load();
    const session = randomBytes(64);
    const preKey = { public: randomBytes(32), private: randomBytes(32) };
    const appKey = proto.Message.AppStateSyncKeyData.fromObject({ keyData: randomBytes(32), timestamp: 123 });
    await auth.keys.set({
      session: { 'a.0': session, 'b.0': randomBytes(8) },
      'pre-key': { '1': preKey },
      'app-state-sync-key': { AAA: appKey },
      'lid-mapping': { '5511': '123@lid' },
    });

    const sessions = await auth.keys.get('session', ['a.0', 'missing', 'b.0']);
    expect(Object.keys(sessions).sort()).toEqual(['a.0', 'b.0']);
    expect(Buffer.from(sessions['a.0']!).equals(session)).toBe(true);
    const preKeys = await auth.keys.get('pre-key', ['1']);
    expect(Buffer.from(preKeys['1']!.private).equals(preKey.private)).toBe(true);
    const appKeys = await auth.keys.get('app-state-sync-key', ['AAA']);
    expect(appKeys.AAA).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
    expect(Buffer.from(appKeys.AAA!.keyData!).equals(Buffer.from(appKey.keyData!))).toBe(true);
    await expect(auth.keys.get('lid-mapping', ['5511'])).resolves.toEqual({ '5511': '123@lid' });
    await expect(auth.keys.get('session', [])).resolves.toEqual({});

    await auth.keys.set({ session: { 'a.0': null } });
    expect(Object.keys(await auth.keys.get('session', ['a.0', 'b.0']))).toEqual(['b.0']);
    expect(await auth.keys.get('session', ['a.0'])).toEqual({});
  });

  it('gives back real libsignal sessions and sender keys as stored, from memory and from Redis', async () => {
    const sessions = await realSessions();
    const senderKey = (await realSenderKey()).stored;
    const auth = store('signal-rt');
    await auth.load();
    const written = Object.fromEntries(sessions.map((s, i) => [`5511999990${i}.0`, s]));
    await auth.keys.set({ session: written as Record<string, Uint8Array>, 'sender-key': { 'group::5511.0': senderKey } });
    const ids = Object.keys(written);
    for (const reader of [auth, store('signal-rt')]) {
      const got = await reader.keys.get('session', ids);
      for (const id of ids) {
        // What JSON holds of it (an undefined member is dropped), as Baileys' reviver gave it back before.
        expect(got[id]).toStrictEqual(JSON.parse(JSON.stringify(written[id], BufferJSON.replacer), BufferJSON.reviver));
        // And libsignal reads it back to the session it wrote.
        expect(JSON.stringify(libsignal.SessionRecord.deserialize(got[id] as never).serialize())).toBe(JSON.stringify(written[id]));
      }
      const keys = await reader.keys.get('sender-key', ['group::5511.0']);
      expect(Buffer.isBuffer(keys['group::5511.0'])).toBe(true);
      expect(Buffer.from(keys['group::5511.0']!).equals(senderKey)).toBe(true);
    }
  });

  it('writes a multi-type set in one MULTI/EXEC, a set of one indexed type in one HSET, and reads a batch with one HMGET', async () => {
    const auth = store('atomic');
    await auth.load();
    const monitor = await redis.monitor();
    const commands: string[] = [];
    // Only this test's own connection: other clients of the shared Redis run MULTI/EXEC too.
    const ours = `${redis.stream.localAddress}:${redis.stream.localPort}`;
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (!String(source).endsWith(ours.replace(/^::ffff:/, ''))) return;
      if (args.some((a) => a.includes(`${prefix}:auth:atomic`)) || ['multi', 'exec'].includes(String(args[0]).toLowerCase())) {
        commands.push(String(args[0]).toLowerCase());
      }
    });
    await auth.keys.set({
      session: { s1: randomBytes(8), s2: randomBytes(8), gone: null },
      'pre-key': { '7': { public: randomBytes(32), private: randomBytes(32) } },
    });
    await auth.keys.get('session', ['s1', 's2', 's3']);
    // A set of one type already in the index (a session after each message): a single HSET.
    await auth.keys.set({ session: { s1: randomBytes(8) } });
    // After clear() the index is gone: the next write adds the key to it again.
    await auth.clear();
    await auth.keys.set({ session: { s4: randomBytes(8) } });
    await new Promise((r) => setTimeout(r, 100));
    monitor.disconnect();
    expect(commands).toEqual([
      ...['multi', 'hset', 'sadd', 'hdel', 'hset', 'sadd', 'exec', 'hmget'],
      'hset',
      'eval',
      ...['multi', 'hset', 'sadd', 'exec'],
    ]);
    expect(await redis.smembers(`${prefix}:auth:atomic:index`)).toEqual([`${prefix}:auth:atomic:keys:session`]);
    expect(Object.keys(await auth.keys.get('session', ['s1', 's4']))).toEqual(['s4']);
  });

  it('serves the keys it wrote or found absent from memory, never pre-keys, and forgets them on delete and clear()', async () => {
    const auth = store('cached');
    await auth.load();
    const session = randomBytes(16);
    await auth.keys.set({ session: { s1: session }, 'pre-key': { '9': { public: randomBytes(32), private: randomBytes(32) } } });
    await auth.keys.get('session', ['nobody']); // absent: remembered as absent
    // Behind its back (nothing but this process writes while it holds the lease): the cache answers.
    await redis.hdel(`${prefix}:auth:cached:keys:session`, 's1');
    await redis.hset(`${prefix}:auth:cached:keys:session`, 'nobody', 'garbage');
    await redis.hdel(`${prefix}:auth:cached:keys:pre-key`, '9');
    const got = await auth.keys.get('session', ['s1', 'nobody']);
    expect(Object.keys(got)).toEqual(['s1']);
    expect(Buffer.from(got.s1!).equals(session)).toBe(true);
    got.s1![0] = got.s1![0]! ^ 0xff; // a caller mutating what it got does not change what the next one gets
    expect(Buffer.from((await auth.keys.get('session', ['s1'])).s1!).equals(session)).toBe(true);
    await expect(auth.keys.get('pre-key', ['9'])).resolves.toEqual({});
    // A fresh store (another process) reads Redis.
    await expect(store('cached').keys.get('session', ['s1'])).resolves.toEqual({});
    // Deletes go through the cache too.
    await auth.keys.set({ session: { s1: null } });
    await expect(auth.keys.get('session', ['s1'])).resolves.toEqual({});
    await auth.keys.set({ session: { s2: randomBytes(8) } });
    await auth.clear();
    await expect(auth.keys.get('session', ['s2'])).resolves.toEqual({});
  });

  it('leaves nothing half written when one value of a set fails', async () => {
    const auth = store('half');
    await auth.load();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(
      auth.keys.set({
        session: { first: randomBytes(8) },
        'sender-key-memory': { bad: cyclic as { [jid: string]: boolean } },
      }),
    ).rejects.toThrow();
    expect(await keysUnder(redis, `${prefix}:auth:half`)).toEqual([]);
  });

  it('keeps only ciphertext at rest', async () => {
    const auth = store('cipher');
    const state = await auth.load();
    state.creds.me = { id: '5511988887777:1@s.whatsapp.net', name: 'PlainName' };
    await auth.saveCreds();
    await auth.keys.set({ 'lid-mapping': { visible: 'plain-lid-value@lid' } });
    const rawCreds = (await redis.get(`${prefix}:auth:cipher:creds`))!;
    expect(rawCreds.startsWith('v1.')).toBe(true);
    expect(rawCreds).not.toContain('5511988887777');
    expect(Buffer.from(rawCreds.slice(3), 'base64').toString('latin1')).not.toContain('PlainName');
    const rawKey = (await redis.hget(`${prefix}:auth:cipher:keys:lid-mapping`, 'visible'))!;
    expect(rawKey).not.toContain('plain-lid-value');
    const noise = Buffer.from(state.creds.noiseKey.private).toString('base64');
    expect(rawCreds).not.toContain(noise);
  });

  it('fails with a clear error under a wrong ENCRYPTION_KEY', async () => {
    const auth = store('wrong-key');
    await auth.load();
    await auth.saveCreds();
    await auth.keys.set({ session: { x: randomBytes(4) } });
    const wrong = store('wrong-key', randomBytes(32));
    await expect(wrong.load()).rejects.toBeInstanceOf(AuthStateDecryptError);
    await expect(wrong.load()).rejects.toThrow(/wrong ENCRYPTION_KEY/);
    await expect(wrong.keys.get('session', ['x'])).rejects.toBeInstanceOf(AuthStateDecryptError);
  });

  it('clear() removes every key of the instance and nothing of another', async () => {
    const auth = store('clear-me');
    const state = await auth.load();
    state.creds = { ...state.creds, ...initAuthCreds() };
    await auth.saveCreds();
    await auth.keys.set({
      session: { a: randomBytes(4) },
      'pre-key': { '1': { public: randomBytes(32), private: randomBytes(32) } },
      'device-list': { u: ['0', '1'] },
    });
    const other = store('keep-me');
    await other.load();
    await other.saveCreds();
    expect((await keysUnder(redis, `${prefix}:auth:clear-me`)).length).toBeGreaterThan(3);

    await auth.clear();

    expect(await keysUnder(redis, `${prefix}:auth:clear-me`)).toEqual([]);
    expect(await keysUnder(redis, `${prefix}:auth:keep-me`)).not.toEqual([]);
    const fresh = await store('clear-me').load();
    expect(fresh.creds.me).toBeUndefined();
  });

  it('drops late writes through a key store handed out before clear() (a dying socket)', async () => {
    const auth = store('late');
    const state = await auth.load();
    await auth.saveCreds();
    await auth.clear();
    await state.keys.set({ 'device-list': { me: ['0'] } });
    await auth.saveCreds();
    expect(await keysUnder(redis, `${prefix}:auth:late`)).toEqual([]);
    const fresh = await auth.load();
    await fresh.keys.set({ 'device-list': { me: ['0'] } });
    expect((await keysUnder(redis, `${prefix}:auth:late`)).length).toBeGreaterThan(0);
  });

  it('waits for Redis to come back when a key read or write fails while it is away (a decrypt would fail otherwise)', async () => {
    // A private Redis (its own port), stopped and started: the shared one is never touched.
    const own = await startPrivateRedis();
    const client = createRedis(own.url);
    try {
      await client.connect();
      const opts = { redis: client, keyPrefix: prefix, instanceId: 'outage', encryptionKey: key };
      const writer = new RedisAuthState(opts);
      await writer.load();
      await writer.keys.set({ session: { 'contact.0': Buffer.from('session-bytes') } });

      // A fresh state (nothing cached: the read must reach Redis), the way a restarted socket starts.
      const reader = new RedisAuthState(opts);
      await own.stop();
      const read = Promise.resolve(reader.keys.get('session', ['contact.0']));
      const write = Promise.resolve(reader.keys.set({ session: { 'contact.1': Buffer.from('later') } }));
      const settled = { read: false, write: false };
      void read.then(() => (settled.read = true), () => (settled.read = true));
      void write.then(() => (settled.write = true), () => (settled.write = true));
      await new Promise((r) => setTimeout(r, 1500)); // ioredis gives a command up after 3 reconnect attempts (< 1 s)
      expect(settled).toEqual({ read: false, write: false });
      await own.start();

      const values = await read;
      await write;
      expect(Buffer.from(values['contact.0'] as unknown as Uint8Array).toString()).toBe('session-bytes');
      const after = await new RedisAuthState(opts).keys.get('session', ['contact.1']);
      expect(Buffer.from(after['contact.1'] as unknown as Uint8Array).toString()).toBe('later');
    } finally {
      client.disconnect();
      await own.destroy();
    }
  }, 60_000);
});

import {
  BufferJSON,
  initAuthCreds,
  proto,
  type AuthenticationCreds,
  type AuthenticationState,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from '@whiskeysockets/baileys';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AuthCipher } from '../crypto/auth-cipher.js';
import { bufferJsonText, parseBufferJson, parseBufferJsonText, type BufferJsonText } from './buffer-json-text.js';
import { AuthStateDecryptError } from './engine-errors.js';
import { LruMap } from '../lru-map.js';

export interface RedisAuthStateOptions {
  redis: Redis;
  /** Global key prefix, e.g. `zap`; keys live under `<prefix>:auth:<instanceId>:`. */
  keyPrefix: string;
  instanceId: string;
  /** 32 bytes (ENCRYPTION_KEY). */
  encryptionKey: Buffer;
  logger?: Logger;
  /** How many decrypted keys (sessions, sender keys...; not pre-keys) to keep in memory; default 64, 0 turns it off. */
  keyCacheSize?: number;
  /**
   * How long a read or write that failed because Redis is unreachable is retried before it fails for good (default
   * 120 s).
   * Writes are serialized, so a retried write never lands after a newer one.
   */
  writeRetryMs?: number;
}

/** ioredis gave a command up because the connection is down (not a bad command): worth retrying. */
export function isRedisUnreachable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  const code = (err as Error & { code?: unknown }).code;
  return /^Connection is closed/.test(err.message) || /^Stream isn't writeable/.test(err.message) || code === 'ECONNREFUSED' || code === 'ECONNRESET';
}

/** Pre-keys are read once each (when a contact starts a session); caching them would only push sessions out. */
const UNCACHED_TYPES = new Set<string>(['pre-key']);
/** What the cache holds for a key Redis does not have. */
const ABSENT = null;

type SignalType = keyof SignalDataTypeMap;

/** Deletes every key listed in the index set, the index itself and the extra KEYS, atomically. */
const CLEAR_SCRIPT = `
local members = redis.call('SMEMBERS', KEYS[1])
local n = 0
for i = 1, #members, 500 do
  n = n + redis.call('DEL', unpack(members, i, math.min(i + 499, #members)))
end
for i = 1, #KEYS do
  n = n + redis.call('DEL', KEYS[i])
end
return n
`;

/**
 * Baileys' AuthenticationState kept in Redis, encrypted at rest.
 *
 * Layout (a hash per signal data type keeps the key count per instance small):
 *   <prefix>:auth:<id>:creds           string, encrypted BufferJSON of the creds
 *   <prefix>:auth:<id>:keys:<type>     hash   field = key id, value = encrypted BufferJSON
 *   <prefix>:auth:<id>:index           set    every key above that was ever written
 *
 * `keys.get` is one HMGET for what the write-through cache of recently used keys does not hold (this process is
 * the only writer while it holds the instance's lease); `keys.set` is one MULTI/EXEC over all types (HSET/HDEL + SADD to the
 * index), so a crash never leaves half a key set, or a single HSET when it only sets keys of one type already in the
 * index (a session after each message); `clear()` is one Lua script.
 */
export class RedisAuthState {
  readonly instanceId: string;
  private readonly redis: Redis;
  private readonly base: string;
  private readonly cipher: AuthCipher;
  private readonly logger: Logger | undefined;
  private creds: AuthenticationCreds | null = null;
  private credsWrite: Promise<void> = Promise.resolve();
  /** Signal key writes, one after the other (a retried write must not land after a newer one). */
  private keysWrite: Promise<void> = Promise.resolve();
  private readonly writeRetryMs: number;
  /** Bumped by clear(): a store handed out before a wipe can no longer write (late writes of a dead socket). */
  private epoch = 0;
  /** Type keys this process has added to the index set (the next writes to them skip the SADD). */
  private readonly indexed = new Set<string>();
  private store: SignalKeyStore;
  /**
   * The decrypted JSON of recently used keys (`<type>:<id>`; ABSENT for a key Redis does not have), so a send does
   * not read and decrypt the same session each time. Write-through (setKeys puts what it writes), so it never holds
   * a value Redis does not; JSON text parsed on each read, so a caller mutating what it got cannot change it (with
   * whether it needs Baileys' Buffer reviver, which most sessions do not).
   */
  private readonly cache: LruMap<string, BufferJsonText | typeof ABSENT>;

  constructor(options: RedisAuthStateOptions) {
    this.redis = options.redis;
    this.instanceId = options.instanceId;
    this.writeRetryMs = options.writeRetryMs ?? 120_000;
    this.base = `${options.keyPrefix}:auth:${options.instanceId}`;
    this.cipher = new AuthCipher(options.encryptionKey);
    this.logger = options.logger;
    this.cache = new LruMap(options.keyCacheSize ?? 64);
    this.store = this.makeStore();
  }

  /** The signal key store of the current auth state (a new one after each clear()). */
  get keys(): SignalKeyStore {
    return this.store;
  }

  private makeStore(): SignalKeyStore {
    const epoch = this.epoch;
    return {
      get: (type, ids) => this.getKeys(type, ids),
      set: async (data) => {
        if (epoch !== this.epoch) {
          this.logger?.debug({ instanceId: this.instanceId }, 'dropping a key write to a wiped auth state');
          return;
        }
        const write = this.keysWrite.then(() => this.retrying('write', 'keys', () => this.setKeys(data)));
        this.keysWrite = write.catch(() => undefined);
        await write;
      },
      clear: () => this.clear(),
    };
  }

  /** Loads the creds (or makes fresh ones, unsaved) and returns the state to hand to Baileys. */
  async load(): Promise<AuthenticationState> {
    const raw = await this.redis.get(this.credsKey);
    this.creds = raw === null ? initAuthCreds() : this.decode<AuthenticationCreds>(raw, this.credsKey, 'creds');
    return { creds: this.creds, keys: this.keys };
  }

  /** True when creds of a paired device are stored. */
  async isRegistered(): Promise<boolean> {
    const raw = await this.redis.get(this.credsKey);
    if (raw === null) return false;
    const creds = this.decode<AuthenticationCreds>(raw, this.credsKey, 'creds');
    return Boolean(creds.me?.id);
  }

  /** Writes the creds loaded by `load()` (Baileys mutates that object in place). Writes are serialized. */
  saveCreds(): Promise<void> {
    const creds = this.creds;
    if (!creds) return Promise.resolve(); // not loaded, or wiped: nothing of ours to save
    const write = this.credsWrite.then(async () => {
      await this.retrying('write', 'creds', async () => {
        const value = this.encode(creds, 'creds');
        await this.redis.multi().set(this.credsKey, value).sadd(this.indexKey, this.credsKey).exec().then(assertExec);
      });
    });
    this.credsWrite = write.catch(() => undefined);
    return write;
  }

  /** Removes every key of the instance. The in-memory creds are forgotten; `load()` starts fresh. */
  async clear(): Promise<void> {
    this.epoch += 1;
    this.store = this.makeStore();
    this.cache.clear();
    this.indexed.clear();
    this.creds = null;
    await this.credsWrite;
    const typeKeys = ALL_TYPES.map((type) => this.typeKey(type));
    const removed = await this.redis.eval(CLEAR_SCRIPT, 2 + typeKeys.length, this.indexKey, this.credsKey, ...typeKeys);
    this.logger?.info({ instanceId: this.instanceId, removed }, 'auth state cleared');
  }

  private async getKeys<T extends SignalType>(type: T, ids: string[]): Promise<{ [id: string]: SignalDataTypeMap[T] }> {
    const result: { [id: string]: SignalDataTypeMap[T] } = {};
    if (ids.length === 0) return result;
    const cacheable = !UNCACHED_TYPES.has(type);
    const missing: string[] = [];
    for (const id of ids) {
      const json = cacheable ? this.cache.get(`${type}:${id}`) : undefined;
      if (json === undefined) missing.push(id);
      else if (json !== ABSENT) result[id] = this.revive(type, json);
    }
    if (missing.length === 0) return result;
    const key = this.typeKey(type);
    // Retried like writes: a read that failed while Redis was away used to fail Baileys' decrypt, which then sent a
    // retry receipt (or a nack) for the message instead of storing it; the sender never knew it was lost.
    const values = await this.retrying('read', 'keys', () => this.redis.hmget(key, ...missing));
    missing.forEach((id, i) => {
      const raw = values[i];
      if (raw === null || raw === undefined) {
        if (cacheable) this.cache.set(`${type}:${id}`, ABSENT);
        return;
      }
      const json = bufferJsonText(this.decrypt(raw, key, `${type}:${id}`));
      if (cacheable) this.cache.set(`${type}:${id}`, json);
      result[id] = this.revive(type, json);
    });
    return result;
  }

  private revive<T extends SignalType>(type: T, json: BufferJsonText): SignalDataTypeMap[T] {
    const value = parseBufferJsonText(json) as SignalDataTypeMap[T];
    if (type === 'app-state-sync-key' && value) {
      return proto.Message.AppStateSyncKeyData.fromObject(value as { [k: string]: unknown }) as unknown as SignalDataTypeMap[T];
    }
    return value;
  }

  private async setKeys(data: SignalDataSet): Promise<void> {
    // Encode everything first: if any value fails, nothing has been sent to Redis.
    const writes: Array<{ key: string; set: string[]; del: string[] }> = [];
    const cached: Array<[string, BufferJsonText | typeof ABSENT]> = [];
    for (const type of Object.keys(data) as SignalType[]) {
      const entries = data[type];
      if (!entries) continue;
      const cacheable = !UNCACHED_TYPES.has(type);
      const write = { key: this.typeKey(type), set: [] as string[], del: [] as string[] };
      for (const [id, value] of Object.entries(entries)) {
        if (value === null || value === undefined) {
          write.del.push(id);
          if (cacheable) cached.push([`${type}:${id}`, ABSENT]);
        } else {
          const json = JSON.stringify(value, BufferJSON.replacer);
          write.set.push(id, this.encrypt(json, `${type}:${id}`));
          if (cacheable) cached.push([`${type}:${id}`, bufferJsonText(json)]);
        }
      }
      if (write.set.length > 0 || write.del.length > 0) writes.push(write);
    }
    if (writes.length === 0) return;
    // Out of the cache before the write, into it after: a failed write leaves the cache holding nothing newer.
    for (const [key] of cached) this.cache.delete(key);
    const only = writes.length === 1 ? writes[0]! : null;
    if (only && only.del.length === 0 && this.indexed.has(only.key)) {
      // The common case (a session updated after each message): one HSET, already atomic.
      await this.redis.hset(only.key, ...only.set);
    } else {
      const multi = this.redis.multi();
      for (const write of writes) {
        if (write.set.length > 0) multi.hset(write.key, ...write.set).sadd(this.indexKey, write.key);
        if (write.del.length > 0) multi.hdel(write.key, ...write.del);
      }
      await multi.exec().then(assertExec);
      for (const write of writes) if (write.set.length > 0) this.indexed.add(write.key);
    }
    for (const [key, json] of cached) this.cache.set(key, json);
  }

  /**
   * Runs a read or write, again and again (backoff up to 2 s) while Redis is unreachable, for up to `writeRetryMs`.
   * Writes are serialized by their callers, so a retried write never lands after a newer one.
   */
  private async retrying<T>(op: 'read' | 'write', what: string, run: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.writeRetryMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await run();
        if (attempt > 1) this.logger?.info({ instanceId: this.instanceId, what, attempt }, `auth state ${op} landed after Redis came back`);
        return result;
      } catch (err) {
        if (!isRedisUnreachable(err) || Date.now() > deadline) throw err;
        if (attempt === 1) this.logger?.warn({ instanceId: this.instanceId, what, err: (err as Error).message }, `auth state ${op} failed: Redis unreachable; retrying`);
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** Math.min(attempt, 5))));
      }
    }
  }

  private encode(value: unknown, location: string): string {
    return this.encrypt(JSON.stringify(value, BufferJSON.replacer), location);
  }

  private encrypt(json: string, location: string): string {
    return this.cipher.encrypt(json, `${this.instanceId}:${location}`);
  }

  private decode<T>(raw: string, storageKey: string, location: string): T {
    return parseBufferJson(this.decrypt(raw, storageKey, location)) as T;
  }

  private decrypt(raw: string, storageKey: string, location: string): string {
    try {
      return this.cipher.decrypt(raw, `${this.instanceId}:${location}`);
    } catch (err) {
      throw new AuthStateDecryptError(this.instanceId, storageKey, { cause: err });
    }
  }

  private get credsKey(): string {
    return `${this.base}:creds`;
  }

  private get indexKey(): string {
    return `${this.base}:index`;
  }

  private typeKey(type: string): string {
    return `${this.base}:keys:${type}`;
  }
}

const ALL_TYPES: readonly SignalType[] = [
  'pre-key',
  'session',
  'sender-key',
  'sender-key-memory',
  'app-state-sync-key',
  'app-state-sync-version',
  'lid-mapping',
  'device-list',
  'tctoken',
  'identity-key',
];

function assertExec(results: Array<[Error | null, unknown]> | null): void {
  if (results === null) throw new Error('auth state transaction aborted');
  for (const [err] of results) if (err) throw err;
}

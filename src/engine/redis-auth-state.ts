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
import { AuthCipher } from './auth-cipher.js';
import { AuthStateDecryptError } from './engine-errors.js';

export interface RedisAuthStateOptions {
  redis: Redis;
  /** Global key prefix, e.g. `zap`; keys live under `<prefix>:auth:<instanceId>:`. */
  keyPrefix: string;
  instanceId: string;
  /** 32 bytes (ENCRYPTION_KEY). */
  encryptionKey: Buffer;
  logger?: Logger;
}

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
 * `keys.get` is one HMGET; `keys.set` is one MULTI/EXEC over all types (HSET/HDEL + SADD to the
 * index), so a crash never leaves half a key set; `clear()` is one Lua script.
 */
export class RedisAuthState {
  readonly instanceId: string;
  private readonly redis: Redis;
  private readonly base: string;
  private readonly cipher: AuthCipher;
  private readonly logger: Logger | undefined;
  private creds: AuthenticationCreds | null = null;
  private credsWrite: Promise<void> = Promise.resolve();
  /** Bumped by clear(): a store handed out before a wipe can no longer write (late writes of a dead socket). */
  private epoch = 0;
  private store: SignalKeyStore;

  constructor(options: RedisAuthStateOptions) {
    this.redis = options.redis;
    this.instanceId = options.instanceId;
    this.base = `${options.keyPrefix}:auth:${options.instanceId}`;
    this.cipher = new AuthCipher(options.encryptionKey);
    this.logger = options.logger;
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
        await this.setKeys(data);
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
      const value = this.encode(creds, 'creds');
      await this.redis.multi().set(this.credsKey, value).sadd(this.indexKey, this.credsKey).exec().then(assertExec);
    });
    this.credsWrite = write.catch(() => undefined);
    return write;
  }

  /** Removes every key of the instance. The in-memory creds are forgotten; `load()` starts fresh. */
  async clear(): Promise<void> {
    this.epoch += 1;
    this.store = this.makeStore();
    this.creds = null;
    await this.credsWrite;
    const typeKeys = ALL_TYPES.map((type) => this.typeKey(type));
    const removed = await this.redis.eval(CLEAR_SCRIPT, 2 + typeKeys.length, this.indexKey, this.credsKey, ...typeKeys);
    this.logger?.info({ instanceId: this.instanceId, removed }, 'auth state cleared');
  }

  private async getKeys<T extends SignalType>(type: T, ids: string[]): Promise<{ [id: string]: SignalDataTypeMap[T] }> {
    const result: { [id: string]: SignalDataTypeMap[T] } = {};
    if (ids.length === 0) return result;
    const key = this.typeKey(type);
    const values = await this.redis.hmget(key, ...ids);
    ids.forEach((id, i) => {
      const raw = values[i];
      if (raw === null || raw === undefined) return;
      let value = this.decode<SignalDataTypeMap[T]>(raw, key, `${type}:${id}`);
      if (type === 'app-state-sync-key' && value) {
        value = proto.Message.AppStateSyncKeyData.fromObject(value as { [k: string]: unknown }) as unknown as SignalDataTypeMap[T];
      }
      result[id] = value;
    });
    return result;
  }

  private async setKeys(data: SignalDataSet): Promise<void> {
    // Encode everything first: if any value fails, nothing has been sent to Redis.
    const writes: Array<{ key: string; set: string[]; del: string[] }> = [];
    for (const type of Object.keys(data) as SignalType[]) {
      const entries = data[type];
      if (!entries) continue;
      const write = { key: this.typeKey(type), set: [] as string[], del: [] as string[] };
      for (const [id, value] of Object.entries(entries)) {
        if (value === null || value === undefined) write.del.push(id);
        else write.set.push(id, this.encode(value, `${type}:${id}`));
      }
      if (write.set.length > 0 || write.del.length > 0) writes.push(write);
    }
    if (writes.length === 0) return;
    const multi = this.redis.multi();
    for (const write of writes) {
      if (write.set.length > 0) multi.hset(write.key, ...write.set).sadd(this.indexKey, write.key);
      if (write.del.length > 0) multi.hdel(write.key, ...write.del);
    }
    await multi.exec().then(assertExec);
  }

  private encode(value: unknown, location: string): string {
    return this.cipher.encrypt(JSON.stringify(value, BufferJSON.replacer), `${this.instanceId}:${location}`);
  }

  private decode<T>(raw: string, storageKey: string, location: string): T {
    let json: string;
    try {
      json = this.cipher.decrypt(raw, `${this.instanceId}:${location}`);
    } catch (err) {
      throw new AuthStateDecryptError(this.instanceId, storageKey, { cause: err });
    }
    return JSON.parse(json, BufferJSON.reviver) as T;
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

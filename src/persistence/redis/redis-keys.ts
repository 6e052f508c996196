/** Builds namespaced Redis keys: `<prefix>:<part>:<part>`. Every Redis user takes one, so tests can isolate by prefix. */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }
}

import { isDeepStrictEqual } from 'node:util';
import { BufferJSON, initAuthCreds, proto } from '@whiskeysockets/baileys';
import { bufferJsonText, needsBufferReviver, parseBufferJson, parseBufferJsonText } from '../../src/engine/buffer-json-text.js';
import { deriveKeyPair } from '../../src/simulator/signal/keys.js';
import { realSenderKey, realSessions } from './support/signal-values.js';

const stored = (value: unknown): string => JSON.stringify(value, BufferJSON.replacer);
const withReviver = (text: string): unknown => JSON.parse(text, BufferJSON.reviver);

/** parseBufferJson gives what JSON.parse with Baileys' reviver gives: same types (Buffers), same bytes, same shape. */
function expectEquivalent(text: string): void {
  const expected = withReviver(text);
  const got = parseBufferJson(text);
  if (!isDeepStrictEqual(got, expected)) {
    throw new Error(`not equivalent for ${text.slice(0, 200)}: got ${String(JSON.stringify(got))}, want ${String(JSON.stringify(expected))}`);
  }
  expect(isDeepStrictEqual(parseBufferJsonText(bufferJsonText(text)), expected)).toBe(true);
}

describe('parseBufferJson', () => {
  it('parses real libsignal sessions without the reviver, to what the reviver gives', async () => {
    const sessions = await realSessions();
    expect(sessions.length).toBeGreaterThanOrEqual(8);
    const withSkippedKeys = sessions.filter((s) => /"messageKeys":\{"\d/.test(stored(s)));
    expect(withSkippedKeys.length).toBeGreaterThan(0);
    for (const session of sessions) {
      const text = stored(session);
      expectEquivalent(text);
      expect(needsBufferReviver(text)).toBe(false);
    }
  });

  it('revives the Buffers of creds, pre-keys, sender keys, app-state keys and versions, identity keys and tokens', async () => {
    const creds = initAuthCreds();
    creds.me = { id: '5511999990000:3@s.whatsapp.net', lid: '123456789:3@lid', name: 'Ana' };
    const senderKey = await realSenderKey();
    const values: unknown[] = [
      creds,
      { public: deriveKeyPair(undefined, 'p').public, private: deriveKeyPair(undefined, 'p').private },
      senderKey.stored,
      proto.Message.AppStateSyncKeyData.fromObject({ keyData: Buffer.from('0123456789abcdef0123456789abcdef'), timestamp: 1700000000 }),
      { version: 7, hash: Buffer.alloc(128, 3), indexValueMap: { 'aW5kZXg=': { valueMac: Buffer.alloc(32, 9) } } },
      Buffer.alloc(32, 5),
      { token: Buffer.from('token'), timestamp: '1700000000' },
      { deep: [{ a: [Buffer.from([1, 2, 3])] }, { b: { c: new Uint8Array([4, 5]) } }] },
    ];
    for (const value of values) {
      const text = stored(value);
      expectEquivalent(text);
      if (value !== values[3]) expect(needsBufferReviver(text)).toBe(true); // protobuf's toJSON writes base64 strings
    }
    // The inner JSON of a sender key, stringified without the replacer: {type:'Buffer', data:[...]} and Uint8Arrays as {"0":n,...}.
    expectEquivalent(senderKey.inner);
    expect(needsBufferReviver(senderKey.inner)).toBe(true);
  });

  it('needs no reviver for values without Buffers: memories, mappings, device lists', () => {
    const values: unknown[] = [
      { '5511999990001@s.whatsapp.net': true, '5511999990002:3@s.whatsapp.net': false, '123456789@lid': true },
      '123456789',
      ['0', '3', '12'],
      { devices: [{ id: 0, keyIndex: 1 }], timestamp: 1700000000 },
      { messageKeys: { '3': 'c2VlZA==', '10': 'c2VlZA==' }, counter: 10 },
      {},
      [],
      null,
    ];
    for (const value of values) {
      const text = stored(value);
      expectEquivalent(text);
      expect(needsBufferReviver(text)).toBe(false);
    }
  });

  it('agrees with the reviver on texts shaped to trick a text check', () => {
    const texts = [
      // Shape 1: {type:'Buffer', data:<string>}, and near misses.
      '{"type":"Buffer","data":"AQID"}',
      '{"data":"AQID","type":"Buffer"}',
      '{ "type" : "Buffer" , "data" : "" }',
      '{"type":"Buffer","data":[1,2,3]}',
      '{"type":"Buffer","data":5}',
      '{"type":"Buffer"}',
      '{"type":"buffer","data":"AQID"}',
      '{"\\u0074ype":"\\u0042uffer","data":"AQID"}',
      '{"type":"Buf\\u0066er","data":"AQID"}',
      '{"note":"a Buffer of bytes","type":"Bufferish"}',
      '"Buffer"',
      '{"type":"Buffer","data":"AQID","type":"Other"}',
      '{"type":"Other","type":"Buffer","data":"AQID"}',
      // Shape 2: every key starting like an integer, every value a number.
      '{"0":1,"1":2,"2":255}',
      '{ "0" : 1 }',
      '{"1":-1.5,"2":2e3}',
      '{"-1":1}',
      '{"+1":1}',
      '{" 1":1}',
      '{"\\t1":1}',
      '{"\u00a01":1}',
      '{"\ufeff1":1}',
      '{"\u20281":1}',
      '{"\\u0031":1}',
      '{"1abc":1,"2@s.whatsapp.net":2}',
      '{"0x1":1}',
      '{"1":"x","1":2}',
      '{"1":2,"1":"x"}',
      '{"1":{},"1":3}',
      '{"1":1,"a":2}',
      '{"a":1,"1":2}',
      '{"1":true}',
      '{"1":null}',
      '{"1":[1]}',
      '{"1":{"2":3}}',
      '{"1":{"type":"Buffer","data":"AQ=="}}',
      '[{"0":1},{"1":"a"}]',
      '{"a":"{\\"1\\":1}"}',
      '{"a":"\\"1\\":2"}',
      '{"1\\"":1}',
      '{"Infinity":1}',
      '{"NaN":1}',
      '{"":1}',
      '{"a":1}',
      // Pretty printed and primitives.
      stored({ a: { b: Buffer.from('xy') } }).replace(/,/g, ',\n  '),
      JSON.stringify({ 0: 1, 1: 2 }, null, 2),
      JSON.stringify(new Uint8Array([9, 8, 7])),
      '1',
      'true',
      'null',
      '"text"',
      '[]',
      '{}',
    ];
    for (const text of texts) expectEquivalent(text);
    expect(withReviver('{"1":"x","1":2}')).toEqual(Buffer.from([2])); // the last of a repeated key sets the value
    expect(needsBufferReviver('{"1":"x","1":2}')).toBe(true);
  });

  it('agrees with the reviver on random values built from buffers, numeric keys and the word Buffer', () => {
    let seed = 14;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const keys = ['0', '1', '12', '-3', '+4', ' 5', '\u00a06', 'a', 'type', 'data', 'Buffer', '7x', '5511@s.whatsapp.net'];
    const leaves = (): unknown => {
      switch (random(10)) {
        case 0:
          return Buffer.from([random(256), random(256)]);
        case 1:
          return new Uint8Array([random(256)]);
        case 2:
          return random(1000) - 500;
        case 3:
          return 'Buffer';
        case 4:
          return 'AQID';
        case 5:
          return random(2) === 0;
        case 6:
          return null;
        default:
          return `s${random(100)}`;
      }
    };
    const build = (depth: number): unknown => {
      if (depth === 0 || random(3) === 0) return leaves();
      if (random(4) === 0) return Array.from({ length: random(4) }, () => build(depth - 1));
      const out: Record<string, unknown> = {};
      for (let i = random(4); i > 0; i--) out[keys[random(keys.length)]!] = build(depth - 1);
      return out;
    };
    let revived = 0;
    for (let i = 0; i < 2000; i++) {
      const value = build(4);
      for (const text of [stored(value), JSON.stringify(value), JSON.stringify(value, null, 1)]) {
        expectEquivalent(text);
        if (needsBufferReviver(text)) revived++;
      }
    }
    expect(revived).toBeGreaterThan(0);
  });

  it('throws what JSON.parse throws on text that is not JSON', () => {
    for (const text of ['', '{', '{"type":"Buffer",}', 'Buffer', '{"1":1']) {
      expect(() => parseBufferJson(text)).toThrow(SyntaxError);
      expect(() => withReviver(text)).toThrow(SyntaxError);
    }
  });
});

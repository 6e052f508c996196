import { BufferJSON } from '@whiskeysockets/baileys';

/**
 * JSON written with Baileys' `BufferJSON.replacer`, parsed as `JSON.parse(text, BufferJSON.reviver)` would, but
 * without the reviver when the text shows it cannot change anything. The reviver is a function call per value (and
 * an `Object.keys` per object): most of what parsing a Signal session cost, though libsignal stores sessions as
 * base64 strings that it leaves as they are.
 *
 * The reviver turns two shapes into Buffers:
 *   1. an object whose `type` is the string `Buffer` and whose `data` is a string (what the replacer writes);
 *   2. a non-array object with at least one key, every key starting like an integer (`parseInt(k, 10)` is not NaN:
 *      optional whitespace, an optional sign, a digit) and every value a number (how a Uint8Array stringifies
 *      without the replacer).
 * `needsBufferReviver` is true whenever the text could hold either (it may be true when it holds neither: that
 * costs only time):
 *   - any backslash: an escape could spell `Buffer`, a digit or a space; the checks below read the text unescaped;
 *   - the word `Buffer` anywhere, for shape 1;
 *   - a member whose key starts with a digit, a sign or a char that may be whitespace (anything outside printable
 *     ASCII) and whose value starts like a number, for shape 2: such an object holds at least one member, and the
 *     text of the member that sets its value (the last one of a repeated key) reads like that.
 * Neither shape depends on a child the reviver changed (a revived child is an object, not a string or a number), so
 * when the text holds neither, no value is revived and plain `JSON.parse` gives the same result.
 */
const INT_KEY_NUMBER_MEMBER = /"(?:[0-9+-]|[^\x21-\x7e])[^"]*"\s*:\s*[-0-9]/;

export function needsBufferReviver(text: string): boolean {
  return text.includes('\\') || text.includes('Buffer') || INT_KEY_NUMBER_MEMBER.test(text);
}

/** BufferJSON text with the answer of `needsBufferReviver`, for a cache that parses the same text again and again. */
export interface BufferJsonText {
  readonly text: string;
  readonly revive: boolean;
}

export function bufferJsonText(text: string): BufferJsonText {
  return { text, revive: needsBufferReviver(text) };
}

export function parseBufferJsonText(json: BufferJsonText): unknown {
  return json.revive ? JSON.parse(json.text, BufferJSON.reviver) : JSON.parse(json.text);
}

/** The same as `JSON.parse(text, BufferJSON.reviver)`, for every text. */
export function parseBufferJson(text: string): unknown {
  return parseBufferJsonText(bufferJsonText(text));
}

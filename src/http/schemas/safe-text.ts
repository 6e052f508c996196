/**
 * Text that cannot be stored: a NUL (Postgres refuses it in text columns) or a lone UTF-16 surrogate (not a
 * character; it cannot be encoded as UTF-8). Every request input goes through `validate()`, which refuses both
 * once for all routes, before any schema or service sees them.
 */
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

/** Why `text` cannot be stored, or null. */
export function unstorableText(text: string): string | null {
  const found = UNSTORABLE.exec(text);
  if (!found) return null;
  return found[0] === '\u0000' ? 'must not contain NUL characters' : 'must not contain unpaired UTF-16 surrogates';
}

export interface UnstorableField {
  /** Dotted path of the field (keys included: a bad key is reported at the key). */
  path: string;
  message: string;
}

/** Every string in `input` (values and object keys, at any depth) that cannot be stored. */
export function findUnstorableText(input: unknown, path: string[] = [], found: UnstorableField[] = [], depth = 0): UnstorableField[] {
  if (found.length >= 20 || depth > 32) return found;
  if (typeof input === 'string') {
    const message = unstorableText(input);
    if (message) found.push({ path: path.join('.'), message });
  } else if (Array.isArray(input)) {
    input.forEach((item, i) => findUnstorableText(item, [...path, String(i)], found, depth + 1));
  } else if (typeof input === 'object' && input !== null && !Buffer.isBuffer(input)) {
    for (const [key, value] of Object.entries(input)) {
      const keyMessage = unstorableText(key);
      if (keyMessage) found.push({ path: [...path, key].join('.'), message: `field name ${keyMessage}` });
      findUnstorableText(value, [...path, key], found, depth + 1);
    }
  }
  return found;
}

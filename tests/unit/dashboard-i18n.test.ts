/** Every English text the dashboard passes to t('…') has its pt-BR translation, with the same placeholders. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pt } from '../../web/src/i18n-pt.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

const texts = new Set<string>();
for (const file of sourceFiles(join(process.cwd(), 'web/src')).filter((f) => !f.endsWith('i18n-pt.ts'))) {
  for (const m of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'((?:[^'\\]|\\.)*)'/g)) texts.add(m[1]!.replace(/\\'/g, "'"));
}

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('the dashboard has texts to translate', () => {
  expect(texts.size).toBeGreaterThan(100);
});

test('every text has a pt-BR translation with the same placeholders', () => {
  const missing = [...texts].filter((text) => pt[text] === undefined);
  expect(missing).toEqual([]);
  const mismatched = [...texts].filter((text) => JSON.stringify(placeholders(text)) !== JSON.stringify(placeholders(pt[text]!)));
  expect(mismatched).toEqual([]);
});

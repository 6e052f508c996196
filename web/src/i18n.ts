import { useEffect, useState } from 'preact/hooks';
import { pt } from './i18n-pt';

/** English is written in the code; Portuguese (pt-BR) is a dictionary from the English text. */
export type Lang = 'en' | 'pt-BR';

const listeners = new Set<() => void>();
let current: Lang = initialLang();

function initialLang(): Lang {
  const saved = localStorage.getItem('zap.lang');
  if (saved === 'en' || saved === 'pt-BR') return saved;
  const langs = navigator.languages?.length ? navigator.languages : [navigator.language];
  return langs.some((l) => l.toLowerCase().startsWith('pt')) ? 'pt-BR' : 'en';
}

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  localStorage.setItem('zap.lang', next);
  document.documentElement.lang = next;
  for (const l of listeners) l();
}

/** Re-renders the caller when the language changes. */
export function useLang(): Lang {
  const [value, setValue] = useState(current);
  useEffect(() => {
    const update = () => setValue(current);
    listeners.add(update);
    return () => listeners.delete(update);
  }, []);
  return value;
}

/** Translates an English text; `{name}` placeholders are filled from `vars`. */
export function t(text: string, vars: Record<string, string | number> = {}): string {
  const base = current === 'pt-BR' ? (pt[text] ?? text) : text;
  return base.replace(/\{(\w+)\}/g, (_, k: string) => (k in vars ? String(vars[k]) : `{${k}}`));
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(current, { dateStyle: 'short', timeStyle: 'medium' });
}

document.documentElement.lang = current;

import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type Me } from './api';

/** Who is signed in (`GET /auth/me`), shared by every screen; null when signed out, undefined while loading. */
let me: Me | null | undefined;
const listeners = new Set<() => void>();

export function setMe(next: Me | null): void {
  me = next;
  for (const l of listeners) l();
}

export async function refreshMe(): Promise<void> {
  try {
    setMe(await api<Me>('GET', '/auth/me'));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) setMe(null);
    else throw err;
  }
}

export function useMe(): Me | null | undefined {
  const [value, setValue] = useState(me);
  useEffect(() => {
    const update = () => setValue(me);
    listeners.add(update);
    if (me === undefined) void refreshMe().catch(() => setMe(null));
    return () => listeners.delete(update);
  }, []);
  return value;
}

window.addEventListener('zap:unauthorized', () => {
  if (me) setMe(null);
});

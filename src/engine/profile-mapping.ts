import type { WABusinessProfile } from '@whiskeysockets/baileys';
import type { BusinessProfile } from './profile-types.js';

/**
 * WhatsApp's code of a failed iq: Baileys throws `Boom(text, {data: code})` (its `output.statusCode` is 500), so the
 * code is in `data`. Null for anything else.
 */
export function iqErrorCode(err: unknown): number | null {
  const data = (err as { data?: unknown } | null)?.data;
  if (typeof data === 'number') return data;
  if (typeof data === 'string' && /^\d{3}$/.test(data)) return Number(data);
  return null;
}

/** Runs a read whose "not there / not allowed" answers (404, 401, 403) mean "nothing to show". */
export async function orNullWhenHidden<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    const code = iqErrorCode(err);
    if (code === 404 || code === 401 || code === 403) return null;
    throw err;
  }
}

const minutes = (value: string | number | undefined): number | null => {
  if (value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
};

export function mapBusinessProfile(p: WABusinessProfile): BusinessProfile {
  const config = p.business_hours?.business_config ?? p.business_hours?.config ?? [];
  return {
    description: p.description || null,
    category: p.category ?? null,
    address: p.address ?? null,
    email: p.email ?? null,
    websites: (p.website ?? []).filter((w): w is string => typeof w === 'string' && w !== ''),
    timezone: p.business_hours?.timezone ?? null,
    hours: config.map((c) => ({
      day: c.day_of_week,
      mode: c.mode,
      openTime: minutes(c.open_time),
      closeTime: minutes(c.close_time),
    })),
  };
}

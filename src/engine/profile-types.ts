/** Plain types of the presence, profile and blocklist operations (socket-operations.ts); nothing of Baileys. */

/** What `presence` sends: chat states go to one chat, available/unavailable are the number's own presence. */
export type PresenceState = 'composing' | 'recording' | 'paused' | 'available' | 'unavailable';

export interface BusinessHours {
  day: string;
  mode: string;
  /** Minutes since midnight, when `mode` is `specific_hours`. */
  openTime: number | null;
  closeTime: number | null;
}

export interface BusinessProfile {
  description: string | null;
  category: string | null;
  address: string | null;
  email: string | null;
  websites: string[];
  timezone: string | null;
  hours: BusinessHours[];
}

/** A WhatsApp account's public profile, as this number may see it. */
export interface ContactProfile {
  jid: string;
  /** A URL of the picture (WhatsApp's CDN), or null: none, or hidden from this number. */
  pictureUrl: string | null;
  /** The about text, or null when hidden. */
  about: { text: string; setAt: number | null } | null;
  /** Only for business accounts. */
  business: BusinessProfile | null;
}

/** What PUT profile changes; absent fields stay, `picture: null` removes the picture. */
export interface OwnProfileChange {
  name?: string;
  about?: string;
  /** JPEG/PNG/WebP bytes as base64 (Baileys makes the 640×640 JPEG), or null to remove. */
  picture?: { dataBase64: string } | null;
}

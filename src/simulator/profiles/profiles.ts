import { createHash, randomInt } from 'node:crypto';

/** WhatsApp's default about text for accounts that never set one. */
export const DEFAULT_ABOUT = 'Hey there! I am using WhatsApp.';

/** A profile or group picture as the simulator serves it (`GET /pictures/{id}.jpg`). */
export interface Picture {
  /** Numeric id, as WhatsApp's picture ids are; changes with every new picture. */
  id: string;
  jpeg: Buffer;
  /** Phone number of who set it. */
  author: string;
  t: number;
}

/** The business profile a WhatsApp Business account publishes (what getBusinessProfile parses). */
export interface BusinessProfile {
  description?: string;
  category?: string;
  address?: string;
  email?: string;
  website?: string;
  /** IANA timezone of the business hours, e.g. America/Sao_Paulo. */
  timezone?: string;
  hours?: { day: 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat'; mode: 'open_24h' | 'appointment_only' | 'specific_hours'; openTime?: number; closeTime?: number }[];
}

/** What others can read about an account (a contact or a linked number) or a group (picture only). */
export class Profile {
  about: { text: string; t: number } = { text: DEFAULT_ABOUT, t: 0 };
  picture?: Picture;
  business?: BusinessProfile;
  /** "Who can add me to groups": `invite` makes an admin's add answer 403 with an invite code instead. */
  groupAdd: 'everyone' | 'invite' = 'everyone';
}

/** Profiles by phone number, and group pictures by group jid; pictures also by id for serving. */
export class ProfileDirectory {
  private readonly profiles = new Map<string, Profile>();
  private readonly pictures = new Map<string, Picture>();

  /** The profile of `key` (a phone number or a group jid), created empty on first use. */
  of(key: string): Profile {
    let profile = this.profiles.get(key);
    if (!profile) {
      profile = new Profile();
      this.profiles.set(key, profile);
    }
    return profile;
  }

  find(key: string): Profile | undefined {
    return this.profiles.get(key);
  }

  /** Sets (or with `jpeg` undefined removes) the picture of `key`; returns the new picture. */
  setPicture(key: string, jpeg: Buffer | undefined, author: string): Picture | undefined {
    const profile = this.of(key);
    if (profile.picture) this.pictures.delete(profile.picture.id);
    profile.picture = jpeg ? { id: String(randomInt(1_000_000_000, 2_000_000_000)), jpeg, author, t: Math.floor(Date.now() / 1000) } : undefined;
    if (profile.picture) this.pictures.set(profile.picture.id, profile.picture);
    return profile.picture;
  }

  picture(id: string): Picture | undefined {
    return this.pictures.get(id);
  }
}

export const sha256Hex = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

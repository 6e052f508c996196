/**
 * The fields of a message kind that is neither text nor media, stored as one jsonb object in `messages.content`
 * (why one column: see migration 1764920000000). Written when the message arrives or is accepted for sending;
 * a poll's `voters` are the only part that changes afterwards.
 */
export type MessageContent = LocationContent | ContactsContent | PollContent | StickerContent;

export interface LocationContent {
  kind: 'location';
  latitude: number;
  longitude: number;
  name: string | null;
  address: string | null;
  url: string | null;
  /** A live location (its first position). */
  live: boolean;
}

export interface ContactCard {
  /** The name shown on the card. */
  name: string;
  /** Digits with country code, no `+` (the vCard's `waid` when present). */
  phones: string[];
  org: string | null;
  email: string | null;
  /** The vCard as sent. */
  vcard: string;
}

export interface ContactsContent {
  kind: 'contacts';
  /** WhatsApp's display name (`"3 contacts"` for several). */
  displayName: string | null;
  contacts: ContactCard[];
}

export interface PollOption {
  name: string;
  /** JIDs of who chose this option now (phone JIDs when known); the tally. */
  voters: string[];
}

export interface PollContent {
  kind: 'poll';
  question: string;
  options: PollOption[];
  multipleAnswers: boolean;
  /** WhatsApp's selectableOptionsCount (0 = any number). */
  selectableCount: number;
}

export interface StickerContent {
  kind: 'sticker';
  animated: boolean;
}

import type { MessageEntity } from '../../../persistence/entities/message.entity.js';
import { readVCard, type VCardFields } from '../vcard-reader.js';
import { pollTallyOf, type PollTally } from './poll-view.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export interface LocationView {
  latitude: number;
  longitude: number;
  name: string | null;
  address: string | null;
}

/** A contact card as a reader sees it (the vCard's name, phones, org and email). */
export type ContactCardView = VCardFields;

/** The fields of a message's kind, as a person reads them: where, whom, and a poll with its votes. */
export interface KindFields {
  location?: LocationView;
  contacts?: ContactCardView[];
  poll?: PollTally;
  /** Reactions, edits and revokes we sent: the message they act on. */
  target?: { waMessageId: string };
  /** Our forward of another message. */
  forwarded?: true;
}

/** The kind's fields of a stored message, ours (from its send job) or received (from WhatsApp's JSON). */
export function kindFieldsOf(m: Pick<MessageEntity, 'raw' | 'pollVotes' | 'type'>): KindFields {
  const raw = obj(m.raw);
  if (!raw) return {};
  const sent = obj(obj(raw.send)?.content);
  const content = sent?.type === 'forward' ? obj(sent.message) : sent;
  if (content) {
    const out: KindFields = sent?.type === 'forward' ? { forwarded: true } : {};
    switch (content.type) {
      case 'location':
        out.location = {
          latitude: Number(content.latitude),
          longitude: Number(content.longitude),
          name: str(content.name),
          address: str(content.address),
        };
        break;
      case 'contacts':
        out.contacts = ((content.contacts as Obj[]) ?? []).map((c) => ({
          name: String(c.name),
          phones: (c.phones as string[]) ?? [],
          org: str(c.org),
          email: str(c.email),
        }));
        break;
      case 'poll': {
        const poll = pollTallyOf(m);
        if (poll) out.poll = poll;
        break;
      }
      case 'reaction':
      case 'edit':
      case 'revoke':
        out.target = { waMessageId: String(obj(content.target)?.id) };
        break;
      case 'stored':
        return { ...out, ...kindFieldsOf({ raw: content.message, pollVotes: null, type: m.type }) };
    }
    return out;
  }
  const location = obj(raw.locationMessage) ?? obj(raw.liveLocationMessage);
  if (location) {
    return {
      location: {
        latitude: Number(location.degreesLatitude),
        longitude: Number(location.degreesLongitude),
        name: str(location.name),
        address: str(location.address),
      },
    };
  }
  const single = obj(raw.contactMessage);
  const array = obj(raw.contactsArrayMessage);
  if (single || array) {
    const cards = single ? [single] : (((array?.contacts as unknown[]) ?? []).map(obj).filter((c): c is Obj => c !== null));
    return { contacts: cards.map((c) => ({ ...readVCard(String(c.vcard ?? '')), ...(str(c.displayName) && !str(c.vcard) ? { name: String(c.displayName) } : {}) })) };
  }
  const poll = pollTallyOf(m);
  return poll ? { poll } : {};
}

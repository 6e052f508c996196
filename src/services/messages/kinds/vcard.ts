/** One contact card as the API takes it (phones as digits with the country code). */
export interface ContactCard {
  name: string;
  phones: string[];
  org?: string;
  email?: string;
}

/** vCard 3.0 text escaping (RFC 2426: backslash, comma, semicolon, newline). */
function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/,/g, '\\,').replace(/;/g, '\\;');
}

/**
 * A contact card as WhatsApp writes it: vCard 3.0 with `TEL;…;waid=<digits>:+<digits>`, the `waid` telling
 * WhatsApp the number is on it (the card then offers "Message").
 */
export function toVCard(card: ContactCard): string {
  const lines = ['BEGIN:VCARD', 'VERSION:3.0', `N:;${escape(card.name)};;;`, `FN:${escape(card.name)}`];
  if (card.org) lines.push(`ORG:${escape(card.org)};`);
  if (card.email) lines.push(`EMAIL;type=INTERNET:${escape(card.email)}`);
  for (const phone of card.phones) lines.push(`TEL;type=CELL;type=VOICE;waid=${phone}:+${phone}`);
  lines.push('END:VCARD');
  return lines.join('\n');
}

/** The display name WhatsApp shows above the cards: the name for one, "N contacts" for several. */
export function cardsDisplayName(cards: readonly ContactCard[]): string {
  return cards.length === 1 ? cards[0]!.name : `${cards.length} contacts`;
}

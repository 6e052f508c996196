/** vCards as WhatsApp puts them in contactMessage.vcard (3.0, `waid` naming the WhatsApp number). */

export interface VCardContact {
  name: string;
  /** Phone numbers, digits with country code (a leading + is allowed). */
  phones: string[];
  org?: string;
  email?: string;
}

const escape = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/([,;])/g, '\\$1');
const unescape = (v: string): string => v.replace(/\\n/gi, '\n').replace(/\\([,;\\])/g, '$1');

export function buildVCard(contact: VCardContact): string {
  const lines = ['BEGIN:VCARD', 'VERSION:3.0', `FN:${escape(contact.name)}`];
  if (contact.org) lines.push(`ORG:${escape(contact.org)};`);
  for (const phone of contact.phones) {
    const digits = phone.replace(/\D/g, '');
    lines.push(`TEL;type=CELL;type=VOICE;waid=${digits}:+${digits}`);
  }
  if (contact.email) lines.push(`EMAIL;type=INTERNET:${escape(contact.email)}`);
  lines.push('END:VCARD');
  return lines.join('\n');
}

/** What the inbox shows of a vCard: its name, numbers (the waid when present, else the digits), org and email. */
export function parseVCard(vcard: string): VCardContact {
  const out: VCardContact = { name: '', phones: [] };
  for (const raw of vcard.split(/\r?\n/)) {
    const colon = raw.indexOf(':');
    if (colon < 0) continue;
    const head = raw.slice(0, colon);
    const value = raw.slice(colon + 1);
    const key = head.split(';')[0]!.replace(/^item\d+\./i, '').toUpperCase();
    if (key === 'FN') out.name = unescape(value);
    else if (key === 'ORG') out.org = unescape(value.replace(/;+$/, ''));
    else if (key === 'EMAIL') out.email = unescape(value);
    else if (key === 'TEL') {
      const waid = /waid=(\d+)/i.exec(head)?.[1];
      out.phones.push(waid ?? value.replace(/\D/g, ''));
    }
  }
  return out;
}

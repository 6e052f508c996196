/** Reads the vCards WhatsApp puts in contactMessage.vcard (3.0, `TEL;…;waid=<digits>:+<digits>`). */

export interface VCardFields {
  name: string;
  /** Digits with country code: the `waid` when present (WhatsApp's number), else the printed number's digits. */
  phones: string[];
  org: string | null;
  email: string | null;
}

const unescape = (v: string): string => v.replace(/\\n/gi, '\n').replace(/\\([,;\\])/g, '$1');

export function readVCard(vcard: string): VCardFields {
  const out: VCardFields = { name: '', phones: [], org: null, email: null };
  // Folded lines (RFC 6350 3.2) continue with a space or tab.
  for (const raw of vcard.replace(/\r?\n[ \t]/g, '').split(/\r?\n/)) {
    const colon = raw.indexOf(':');
    if (colon < 0) continue;
    const head = raw.slice(0, colon);
    const value = raw.slice(colon + 1).trim();
    const key = head.split(';')[0]!.replace(/^item\d+\./i, '').toUpperCase();
    if (key === 'FN') out.name = unescape(value);
    else if (key === 'N' && !out.name) out.name = unescape(value.split(';').filter(Boolean).reverse().join(' '));
    else if (key === 'ORG') out.org = unescape(value.replace(/;+$/, '')) || null;
    else if (key === 'EMAIL') out.email ??= unescape(value) || null;
    else if (key === 'TEL') {
      const digits = /waid=(\d+)/i.exec(head)?.[1] ?? value.replace(/\D/g, '');
      if (digits) out.phones.push(digits);
    }
  }
  return out;
}

import type { BinaryNode } from '@whiskeysockets/baileys';

/**
 * Builders of iq answers (`result`, or WhatsApp's iq `error`), sent from the address the iq was sent to, or from
 * `fallbackFrom` when it names none (`s.whatsapp.net` for the server's iqs, `g.us` for the groups').
 */
export function iqAnswers(fallbackFrom: string) {
  const from = (iq: BinaryNode) => iq.attrs.to ?? fallbackFrom;
  return {
    result: (iq: BinaryNode, content?: BinaryNode[]): BinaryNode => ({
      tag: 'iq',
      attrs: { from: from(iq), type: 'result', id: iq.attrs.id! },
      ...(content ? { content } : {}),
    }),
    error: (iq: BinaryNode, code: number, text: string): BinaryNode => ({
      tag: 'iq',
      attrs: { from: from(iq), type: 'error', id: iq.attrs.id! },
      content: [{ tag: 'error', attrs: { code: String(code), text } }],
    }),
  };
}

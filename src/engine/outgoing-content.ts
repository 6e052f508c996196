import { proto, type AnyMessageContent, type MiscMessageGenerationOptions, type WAMessage } from '@whiskeysockets/baileys';
import type { OutgoingContent, SendOptions } from './engine-types.js';

/** Our outgoing content (text or base64 media) as Baileys' message content, with mentions where WhatsApp shows them. */
export function toBaileysContent(content: OutgoingContent, mentions: string[] | undefined): AnyMessageContent {
  const withMentions = mentions?.length ? { mentions } : {};
  if (content.type === 'text') return { text: content.text, ...withMentions };
  const data = Buffer.from(content.dataBase64, 'base64');
  switch (content.mediaType) {
    case 'image':
      return { image: data, mimetype: content.mimetype, caption: content.caption, ...withMentions };
    case 'video':
      return { video: data, mimetype: content.mimetype, caption: content.caption, ...withMentions };
    case 'audio':
      return { audio: data, mimetype: content.mimetype, ptt: content.ptt ?? false };
    case 'document':
      return {
        document: data,
        mimetype: content.mimetype,
        fileName: content.fileName ?? 'file',
        caption: content.caption,
        ...withMentions,
      };
  }
}

/** The fixed message id and the quoted message (as we stored it) as Baileys' send options. */
export function toSendOptions(options: SendOptions): MiscMessageGenerationOptions {
  const out: MiscMessageGenerationOptions = { messageId: options.messageId };
  if (options.quoted) {
    const { key, message } = options.quoted;
    out.quoted = {
      key: { id: key.id, remoteJid: key.remoteJid, fromMe: key.fromMe, ...(key.participant ? { participant: key.participant } : {}) },
      message: message ? proto.Message.fromObject(message) : { conversation: '' },
    } as WAMessage;
  }
  return out;
}

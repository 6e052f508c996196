import {
  generateWAMessageContent,
  proto,
  type AnyMessageContent,
  type MiscMessageGenerationOptions,
  type WAMediaUploadFunction,
  type WAMessage,
  type WAMessageKey,
} from '@whiskeysockets/baileys';
import type { ForwardableContent, OutgoingContent, SendOptions, TargetKey } from './engine-types.js';

type WithMentions = { mentions?: string[] };

function keyOf(target: TargetKey): WAMessageKey {
  return {
    id: target.id,
    remoteJid: target.remoteJid,
    fromMe: target.fromMe,
    ...(target.participant ? { participant: target.participant } : {}),
  };
}

/**
 * Our outgoing content as Baileys' message content, with mentions where WhatsApp shows them. A text without a
 * preview carries `linkPreview: null` so Baileys never fetches one itself (ours is fetched under the URL guard).
 * `forward` is not handled here (it needs the socket's upload): see forwardSourceOf.
 */
export function toBaileysContent(content: Exclude<OutgoingContent, { type: 'forward' | 'stored' }>, mentions: string[] | undefined): AnyMessageContent {
  const withMentions: WithMentions = mentions?.length ? { mentions } : {};
  switch (content.type) {
    case 'text': {
      const preview = content.linkPreview;
      return {
        text: content.text,
        linkPreview: preview
          ? {
              'canonical-url': preview.canonicalUrl,
              'matched-text': preview.matchedText,
              title: preview.title,
              ...(preview.description ? { description: preview.description } : {}),
              ...(preview.thumbnailBase64 ? { jpegThumbnail: Buffer.from(preview.thumbnailBase64, 'base64') } : {}),
            }
          : null,
        ...withMentions,
      };
    }
    case 'media':
      return mediaContent(content, withMentions);
    case 'sticker':
      return { sticker: Buffer.from(content.dataBase64, 'base64'), mimetype: 'image/webp', ...withMentions };
    case 'location':
      return {
        location: {
          degreesLatitude: content.latitude,
          degreesLongitude: content.longitude,
          ...(content.name ? { name: content.name } : {}),
          ...(content.address ? { address: content.address } : {}),
        },
        ...withMentions,
      } as AnyMessageContent;
    case 'contacts':
      return { contacts: { displayName: content.displayName, contacts: content.contacts }, ...withMentions } as AnyMessageContent;
    case 'poll':
      return {
        poll: {
          name: content.question,
          values: content.options,
          selectableCount: content.selectableCount,
          messageSecret: Buffer.from(content.messageSecretBase64, 'base64'),
        },
        ...withMentions,
      };
    case 'reaction':
      return { react: { text: content.emoji, key: keyOf(content.target) } };
    case 'edit':
      return { text: content.text, edit: keyOf(content.target), linkPreview: null };
    case 'revoke':
      return { delete: keyOf(content.target) };
  }
}

function mediaContent(content: Extract<OutgoingContent, { type: 'media' }>, withMentions: WithMentions): AnyMessageContent {
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

/**
 * The message to forward, as Baileys' `forward` wants it: a stored message as it is (its media keep their
 * WhatsApp upload), or our own content built (and uploaded) now. Sent with `force: true`, so it is marked
 * forwarded even though it comes from us.
 */
export async function forwardSourceOf(
  content: ForwardableContent,
  jid: string,
  upload: WAMediaUploadFunction,
): Promise<WAMessage> {
  const message =
    content.type === 'stored'
      ? proto.Message.fromObject(content.message)
      : await generateWAMessageContent(toBaileysContent(content, undefined), { upload, jid });
  return { key: { remoteJid: jid, fromMe: true, id: '' }, message } as WAMessage;
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

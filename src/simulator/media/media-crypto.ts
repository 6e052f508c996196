import { createHash } from 'node:crypto';
import { normalizeMessageContent, proto, toNumber, type MediaType } from '@whiskeysockets/baileys';
import { z } from 'zod';
import { SimulatorError } from '../errors.js';
import { decryptMedia, encryptMedia, MediaIntegrityError } from './media-cipher.js';
import type { MediaBlobStore } from './media-server.js';

/** Media a contact can send or receive. 'voice' is an audio message with ptt (a voice note). */
export const CONTACT_MEDIA_TYPES = ['image', 'video', 'audio', 'voice', 'document', 'sticker'] as const;
export type ContactMediaType = (typeof CONTACT_MEDIA_TYPES)[number];

/** The `media` field of `POST /control/contacts/{phone}/messages`. */
export const contactMediaSchema = z.object({
  type: z.enum(CONTACT_MEDIA_TYPES),
  mimetype: z.string().min(1).optional(),
  fileName: z.string().min(1).optional(),
  caption: z.string().optional(),
  dataBase64: z.string().min(1),
  /** Voice note flag for type 'audio' (same as type 'voice'). */
  ptt: z.boolean().optional(),
  seconds: z.number().int().nonnegative().optional(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
});
export type ContactMediaInput = z.infer<typeof contactMediaSchema>;

/** What a contact gets out of a media message the device sent. */
export interface DecryptedMediaMessage {
  type: ContactMediaType;
  mimetype?: string;
  caption?: string;
  fileName?: string;
  data: Buffer;
  /** Hex SHA-256 of the decrypted bytes. */
  sha256: string;
  /** The same hash in base64 (how a message's fileSha256 is usually printed). */
  sha256Base64: string;
  size: number;
}

/** What buildContactMediaMessage needs: the raw bytes plus the fields of the message. */
export interface OutgoingMedia {
  type: ContactMediaType;
  data: Buffer;
  mimetype?: string;
  fileName?: string;
  caption?: string;
  ptt?: boolean;
  seconds?: number;
  width?: number;
  height?: number;
  jpegThumbnail?: Buffer;
}

type MediaContent =
  | proto.Message.IImageMessage
  | proto.Message.IVideoMessage
  | proto.Message.IAudioMessage
  | proto.Message.IDocumentMessage
  | proto.Message.IStickerMessage;

const DEFAULT_MIMETYPES: Record<ContactMediaType, string> = {
  image: 'image/jpeg',
  video: 'video/mp4',
  audio: 'audio/ogg; codecs=opus',
  voice: 'audio/ogg; codecs=opus',
  document: 'application/pdf',
  sticker: 'image/webp',
};

/** HKDF info type and upload path type of each kind (WhatsApp uploads stickers under /mms/image). */
const CRYPTO_TYPE: Record<ContactMediaType, MediaType> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  voice: 'audio',
  document: 'document',
  sticker: 'sticker',
};
const PATH_TYPE: Record<ContactMediaType, string> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  voice: 'audio',
  document: 'document',
  sticker: 'image',
};

/** Finds the media part of a message (unwrapping deviceSentMessage, ephemeral, view-once, documentWithCaption, ptv). */
export function findMediaContent(message: proto.IMessage): { type: ContactMediaType; content: MediaContent } | undefined {
  const inner = normalizeMessageContent(message.deviceSentMessage?.message ?? message);
  if (!inner) return undefined;
  if (inner.imageMessage) return { type: 'image', content: inner.imageMessage };
  if (inner.videoMessage) return { type: 'video', content: inner.videoMessage };
  if (inner.ptvMessage) return { type: 'video', content: inner.ptvMessage };
  if (inner.audioMessage) return { type: inner.audioMessage.ptt ? 'voice' : 'audio', content: inner.audioMessage };
  if (inner.documentMessage) return { type: 'document', content: inner.documentMessage };
  if (inner.stickerMessage) return { type: 'sticker', content: inner.stickerMessage };
  return undefined;
}

/**
 * The contact side of receiving media: fetches the encrypted blob the device uploaded, checks its hash and mac,
 * decrypts it and checks the plaintext hash and length against the message.
 */
export async function decryptMediaMessage(
  message: proto.IMessage,
  store: Pick<MediaBlobStore, 'getUpload'>,
): Promise<DecryptedMediaMessage> {
  const found = findMediaContent(message);
  if (!found) throw new SimulatorError('NOT_MEDIA', 400, 'message has no media');
  const { type, content } = found;
  const location = content.directPath || content.url;
  if (!location || !content.mediaKey?.length) {
    throw new SimulatorError('NOT_MEDIA', 400, 'media message lacks a direct path or media key', { type });
  }
  const blob = store.getUpload(location);
  if (!blob) throw new SimulatorError('MEDIA_NOT_FOUND', 404, 'media blob not found on the media server', { location });
  if (content.fileEncSha256?.length && !Buffer.from(content.fileEncSha256).equals(sha256(blob.data))) {
    throw new MediaIntegrityError('fileEncSha256 does not match the uploaded blob', { location });
  }
  const data = await decryptMedia(blob.data, content.mediaKey, CRYPTO_TYPE[type]);
  const digest = sha256(data);
  if (content.fileSha256?.length && !Buffer.from(content.fileSha256).equals(digest)) {
    throw new MediaIntegrityError('fileSha256 does not match the decrypted media', { location });
  }
  if (content.fileLength != null && toNumber(content.fileLength) !== data.length) {
    throw new MediaIntegrityError('fileLength does not match the decrypted media', {
      fileLength: toNumber(content.fileLength),
      size: data.length,
    });
  }
  return {
    type,
    ...(content.mimetype ? { mimetype: content.mimetype } : {}),
    ...('caption' in content && content.caption ? { caption: content.caption } : {}),
    ...('fileName' in content && content.fileName ? { fileName: content.fileName } : {}),
    data,
    sha256: digest.toString('hex'),
    sha256Base64: digest.toString('base64'),
    size: data.length,
  };
}

/** Turns the control API's media input into OutgoingMedia. */
export function outgoingMediaFromInput(input: ContactMediaInput): OutgoingMedia {
  const { dataBase64, ...fields } = input;
  return { ...fields, data: Buffer.from(dataBase64, 'base64') };
}

/**
 * The contact side of sending media: encrypts the bytes with a fresh media key, stores the blob on the media
 * server and returns the message (imageMessage, videoMessage, audioMessage, documentMessage or stickerMessage)
 * that Baileys' downloadMediaMessage decrypts.
 */
export async function buildContactMediaMessage(
  media: OutgoingMedia,
  store: Pick<MediaBlobStore, 'storeBlob'>,
  now: () => number = Date.now,
): Promise<proto.Message> {
  const enc = await encryptMedia(media.data, CRYPTO_TYPE[media.type]);
  const stored = store.storeBlob(PATH_TYPE[media.type], enc.encrypted);
  const common = {
    url: stored.url,
    directPath: stored.directPath,
    mediaKey: enc.mediaKey,
    fileEncSha256: enc.fileEncSha256,
    fileSha256: enc.fileSha256,
    fileLength: enc.fileLength,
    mimetype: media.mimetype ?? DEFAULT_MIMETYPES[media.type],
    mediaKeyTimestamp: Math.floor(now() / 1000),
  };
  const optional = <T>(value: T | undefined, key: string) => (value === undefined ? {} : { [key]: value });
  switch (media.type) {
    case 'image':
      return proto.Message.create({
        imageMessage: {
          ...common,
          ...optional(media.caption, 'caption'),
          ...optional(media.width, 'width'),
          ...optional(media.height, 'height'),
          ...optional(media.jpegThumbnail, 'jpegThumbnail'),
        },
      });
    case 'video':
      return proto.Message.create({
        videoMessage: {
          ...common,
          ...optional(media.caption, 'caption'),
          ...optional(media.seconds, 'seconds'),
          ...optional(media.width, 'width'),
          ...optional(media.height, 'height'),
          ...optional(media.jpegThumbnail, 'jpegThumbnail'),
        },
      });
    case 'audio':
    case 'voice':
      return proto.Message.create({
        audioMessage: {
          ...common,
          ptt: media.type === 'voice' || media.ptt === true,
          ...optional(media.seconds, 'seconds'),
        },
      });
    case 'document':
      return proto.Message.create({
        documentMessage: {
          ...common,
          fileName: media.fileName ?? 'file',
          ...optional(media.caption, 'caption'),
          ...optional(media.jpegThumbnail, 'jpegThumbnail'),
        },
      });
    case 'sticker':
      return proto.Message.create({
        stickerMessage: { ...common, ...optional(media.width, 'width'), ...optional(media.height, 'height') },
      });
  }
}

const sha256 = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();

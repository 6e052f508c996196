import { downloadContentFromMessage, getContentType, normalizeMessageContent, proto, type MediaType } from '@whiskeysockets/baileys';
import type { JsonObject } from './engine-types.js';

/** What a message carries as media, read from its stored JSON (protobuf JSON, as the engine emits it). */
export interface MediaInfo {
  mediaType: 'image' | 'video' | 'audio' | 'document' | 'sticker';
  mimetype: string | null;
  fileName: string | null;
  /** Bytes, as the sender declared them. */
  fileLength: number | null;
  ptt: boolean;
}

const MEDIA_FIELDS = {
  imageMessage: 'image',
  videoMessage: 'video',
  audioMessage: 'audio',
  documentMessage: 'document',
  stickerMessage: 'sticker',
} as const;

type MediaField = keyof typeof MEDIA_FIELDS;

function mediaPart(message: JsonObject): { field: MediaField; part: proto.Message.IImageMessage & Record<string, unknown> } | null {
  const normalized = normalizeMessageContent(proto.Message.fromObject(message));
  if (!normalized) return null;
  const type = getContentType(normalized);
  if (type === 'documentWithCaptionMessage') return null;
  if (!type || !(type in MEDIA_FIELDS)) return null;
  const part = normalized[type as MediaField] as (proto.Message.IImageMessage & Record<string, unknown>) | null | undefined;
  return part ? { field: type as MediaField, part } : null;
}

/** The media of a message, or null when it has none. */
export function mediaInfoOf(message: JsonObject | null): MediaInfo | null {
  if (!message) return null;
  const found = mediaPart(message);
  if (!found) return null;
  const { field, part } = found;
  const length = part.fileLength;
  return {
    mediaType: MEDIA_FIELDS[field],
    mimetype: part.mimetype ?? null,
    fileName: typeof part.fileName === 'string' ? part.fileName : null,
    fileLength: length === null || length === undefined ? null : Number(length),
    ptt: part.ptt === true,
  };
}

/**
 * Downloads and decrypts the media of a received message (from its stored JSON). A plain function: it needs no
 * socket, only WhatsApp's media hosts (NODE_EXTRA_CA_CERTS for the simulator's). Throws when the message has no
 * media or the download fails.
 */
export async function downloadMessageMedia(message: JsonObject, options: { maxBytes?: number; timeoutMs?: number } = {}): Promise<Buffer> {
  const found = mediaPart(message);
  if (!found) throw new Error('the message carries no media');
  const { field, part } = found;
  const stream = await downloadContentFromMessage(
    { mediaKey: part.mediaKey, directPath: part.directPath, url: part.url },
    MEDIA_FIELDS[field] as MediaType,
    { options: { signal: AbortSignal.timeout(options.timeoutMs ?? 120_000) } },
  );
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (options.maxBytes !== undefined && size > options.maxBytes) {
      stream.destroy();
      throw new Error(`media larger than ${options.maxBytes} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

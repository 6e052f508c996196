import { z } from 'zod';

export const MEDIA_KINDS = ['image', 'video', 'audio', 'document'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

const MB = 1024 * 1024;

/** Largest accepted file per media type, in bytes. Defaults are close to WhatsApp's own limits. */
export const mediaLimitsSchema = z.object({
  image: z.number().int().min(1).default(16 * MB),
  video: z.number().int().min(1).default(16 * MB),
  audio: z.number().int().min(1).default(16 * MB),
  document: z.number().int().min(1).default(100 * MB),
});
export type MediaLimits = z.infer<typeof mediaLimitsSchema>;

/** Content types WhatsApp accepts per media type; documents take anything. */
export const ALLOWED_MIME_TYPES: Record<Exclude<MediaKind, 'document'>, readonly string[]> = {
  image: ['image/jpeg', 'image/png', 'image/webp'],
  video: ['video/mp4', 'video/3gpp'],
  audio: ['audio/mpeg', 'audio/mp3', 'audio/ogg', 'audio/opus', 'audio/mp4', 'audio/aac', 'audio/amr', 'audio/x-m4a', 'audio/wav', 'audio/x-wav'],
};

/** The file is larger than the limit of its media type. Maps to 413, or to a failed message `media_too_large`. */
export class MediaTooLargeError extends Error {
  readonly code = 'media_too_large';
  constructor(readonly mediaType: MediaKind, readonly limitBytes: number, readonly sizeBytes: number | null) {
    super(`${mediaType} larger than ${limitBytes} bytes${sizeBytes !== null ? ` (${sizeBytes})` : ''}`);
    this.name = new.target.name;
  }
}

/** The content type does not fit the media type. Maps to 415, or to a failed message `media_type_not_allowed`. */
export class MediaTypeNotAllowedError extends Error {
  readonly code = 'media_type_not_allowed';
  constructor(readonly mediaType: MediaKind, readonly contentType: string | null) {
    super(`${contentType ?? 'unknown content type'} is not allowed for ${mediaType}${mediaType === 'document' ? '' : ` (allowed: ${ALLOWED_MIME_TYPES[mediaType].join(', ')})`}`);
    this.name = new.target.name;
  }
}

/** Recognises common media files by their first bytes (for servers that answer application/octet-stream). */
export function sniffMimeType(head: Buffer): string | null {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  const ascii = (offset: number, text: string) => head.subarray(offset, offset + text.length).toString('latin1') === text;
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'image/webp';
  if (ascii(0, 'RIFF') && ascii(8, 'WAVE')) return 'audio/wav';
  if (ascii(0, 'GIF8')) return 'image/gif';
  if (ascii(0, 'OggS')) return 'audio/ogg';
  if (ascii(0, 'ID3') || starts(0xff, 0xfb) || starts(0xff, 0xf3) || starts(0xff, 0xf2)) return 'audio/mpeg';
  if (ascii(4, 'ftyp')) {
    const brand = head.subarray(8, 12).toString('latin1');
    if (brand.startsWith('3g')) return 'video/3gpp';
    if (brand === 'M4A ') return 'audio/mp4';
    return 'video/mp4';
  }
  if (ascii(0, '%PDF-')) return 'application/pdf';
  return null;
}

function normalise(type: string | null | undefined): string | null {
  const bare = type?.split(';')[0]?.trim().toLowerCase();
  return bare ? bare : null;
}

export interface MediaCheckInput {
  mediaType: MediaKind;
  /** What the server or the upload said. */
  contentType: string | null | undefined;
  /** What the API caller said (`mimetype` field), used when the server's type is missing or generic. */
  declaredMimetype?: string | null;
  /** The file's first bytes, for sniffing when neither is specific. */
  head?: Buffer;
}

/**
 * The content type to send with, checked against the media type: the server's type, or when it is missing or
 * `application/octet-stream`, the caller's `mimetype`, else the sniffed type. Throws MediaTypeNotAllowedError.
 */
export function resolveMediaMimetype(input: MediaCheckInput): string {
  const given = normalise(input.contentType);
  const generic = given === null || given === 'application/octet-stream' || given === 'binary/octet-stream';
  const resolved = generic ? (normalise(input.declaredMimetype) ?? (input.head ? sniffMimeType(input.head) : null) ?? given) : given;
  if (input.mediaType === 'document') return resolved ?? 'application/octet-stream';
  if (resolved === null || !ALLOWED_MIME_TYPES[input.mediaType].includes(resolved)) {
    throw new MediaTypeNotAllowedError(input.mediaType, resolved);
  }
  return resolved;
}

/** Throws MediaTooLargeError when `sizeBytes` is over the media type's limit. */
export function assertMediaSize(mediaType: MediaKind, sizeBytes: number, limits: MediaLimits): void {
  if (sizeBytes > limits[mediaType]) throw new MediaTooLargeError(mediaType, limits[mediaType], sizeBytes);
}

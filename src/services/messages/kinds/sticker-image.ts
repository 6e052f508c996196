import { sniffMimeType } from '../media-rules.js';

/** WhatsApp shows stickers in a 512×512 box. */
const STICKER_SIDE = 512;

/** The image is not something a sticker can be made of (not webp, PNG or JPEG, or not decodable). */
export class StickerImageError extends Error {
  readonly code = 'sticker_image_invalid';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The bytes to send as a sticker: a webp as it is; a PNG or JPEG converted to webp, fitted into 512×512 on a
 * transparent background (sharp). Throws StickerImageError for anything else.
 */
export async function toStickerWebp(data: Buffer): Promise<Buffer> {
  const type = sniffMimeType(data.subarray(0, 16));
  if (type === 'image/webp') return data;
  if (type !== 'image/png' && type !== 'image/jpeg') {
    throw new StickerImageError(`a sticker must be webp, PNG or JPEG (got ${type ?? 'an unknown type'})`);
  }
  try {
    const { default: sharp } = await import('sharp'); // loaded at the first sticker, not at start-up
    return await sharp(data)
      .resize(STICKER_SIDE, STICKER_SIDE, { fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 } })
      .webp({ quality: 80 })
      .toBuffer();
  } catch (err) {
    throw new StickerImageError(`the image cannot be converted: ${(err as Error).message}`, { cause: err });
  }
}

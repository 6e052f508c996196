import { UnsafeUrlError } from '../../net/net-errors.js';
import { PermanentSendError } from '../../queues/send-errors.js';
import { MediaFetchError } from './media-fetcher.js';
import { MediaTooLargeError, MediaTypeNotAllowedError } from './media-rules.js';
import { InvalidRecipientError } from './recipient.js';
import { StickerImageError } from './kinds/sticker-image.js';

/**
 * For a MessageSender implementation: turns what preparing or sending a message threw into what the send worker
 * understands. Problems retrying cannot fix become PermanentSendError with a stable reason; everything else is
 * returned unchanged (NotConnectedError waits, the rest is retried).
 */
export function toSendError(err: unknown): unknown {
  if (err instanceof PermanentSendError) return err;
  const permanent = (reason: string, cause: Error) => new PermanentSendError(reason, cause.message, { cause });
  if (err instanceof MediaTooLargeError) return permanent('media_too_large', err);
  if (err instanceof MediaTypeNotAllowedError) return permanent('media_type_not_allowed', err);
  if (err instanceof UnsafeUrlError) return permanent('media_url_not_allowed', err);
  if (err instanceof MediaFetchError && err.permanent) return permanent('media_fetch_failed', err);
  if (err instanceof InvalidRecipientError) return permanent('invalid_recipient', err);
  if (err instanceof StickerImageError) return permanent('sticker_image_invalid', err);
  return err;
}

import { RequestFailedError, RequestTimeoutError, TooLargeError, HostResolutionError, UnsafeUrlError } from '../../net/net-errors.js';
import { safeRequest } from '../../net/safe-request.js';
import type { HostLookup } from '../../net/url-guard.js';
import { MediaTooLargeError, MediaTypeNotAllowedError, resolveMediaMimetype, type MediaKind, type MediaLimits } from './media-rules.js';

/** The media URL could not be fetched. `permanent` says whether retrying later could help (4xx vs 5xx/network). */
export class MediaFetchError extends Error {
  readonly code = 'media_fetch_failed';
  constructor(message: string, readonly permanent: boolean, readonly statusCode: number | null = null, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export interface FetchMediaInput {
  url: string;
  mediaType: MediaKind;
  limits: MediaLimits;
  declaredMimetype?: string | null;
  timeoutMs?: number;
  /** MEDIA_ALLOW_PRIVATE_URLS. */
  allowPrivate?: boolean;
  lookup?: HostLookup;
}

export interface FetchedMedia {
  data: Buffer;
  mimetype: string;
  sizeBytes: number;
}

/**
 * Downloads a `mediaUrl` for sending: safe URL (no private addresses unless allowed), no redirects, a timeout,
 * the media type's size limit (aborting early on Content-Length) and its allowed content types. Throws
 * UnsafeUrlError, MediaTooLargeError, MediaTypeNotAllowedError or MediaFetchError.
 */
export async function fetchMedia(input: FetchMediaInput): Promise<FetchedMedia> {
  const limit = input.limits[input.mediaType];
  let response;
  try {
    response = await safeRequest(input.url, {
      method: 'GET',
      timeoutMs: input.timeoutMs ?? 60_000,
      maxBodyBytes: limit,
      onTooLarge: 'error',
      allowPrivate: input.allowPrivate,
      lookup: input.lookup,
      headers: { accept: '*/*', 'user-agent': 'ZapEngine-Media/1' },
    });
  } catch (err) {
    if (err instanceof TooLargeError) throw new MediaTooLargeError(input.mediaType, limit, err.declaredBytes);
    if (err instanceof UnsafeUrlError) throw err;
    if (err instanceof RequestTimeoutError || err instanceof RequestFailedError || err instanceof HostResolutionError) {
      throw new MediaFetchError(`cannot download the media: ${err.message}`, false, null, { cause: err });
    }
    throw err;
  }
  if (response.status < 200 || response.status >= 300) {
    const permanent = response.status < 500 && response.status !== 408 && response.status !== 429;
    throw new MediaFetchError(`the media URL answered ${response.status}`, permanent, response.status);
  }
  const mimetype = resolveMediaMimetype({
    mediaType: input.mediaType,
    contentType: response.contentType,
    declaredMimetype: input.declaredMimetype,
    head: response.body.subarray(0, 16),
  });
  return { data: response.body, mimetype, sizeBytes: response.body.length };
}

/** Whether a media problem should fail the message at once (vs. retry later). */
export function isPermanentMediaError(err: unknown): boolean {
  if (err instanceof MediaTooLargeError || err instanceof MediaTypeNotAllowedError || err instanceof UnsafeUrlError) return true;
  return err instanceof MediaFetchError && err.permanent;
}

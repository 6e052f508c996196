import type { Logger } from 'pino';
import type { LinkPreview } from '../../../engine/engine-types.js';
import { safeRequest } from '../../../net/safe-request.js';
import type { HostLookup } from '../../../net/url-guard.js';
import { fetchMedia } from '../media-fetcher.js';
import type { MediaLimits } from '../media-rules.js';

export interface LinkPreviewOptions {
  allowPrivate: boolean;
  lookup?: HostLookup;
  limits: MediaLimits;
  /** For the page and the image each (default 5 s). */
  timeoutMs?: number;
  logger: Logger;
}

const URL_IN_TEXT = /https?:\/\/[^\s<>"'`]+/i;
/** Enough of a page for its head. */
const MAX_PAGE_BYTES = 512 * 1024;
const THUMBNAIL_WIDTH = 192;

/** The first http(s) link in a text, without trailing punctuation, or null. */
export function firstLink(text: string): string | null {
  const match = URL_IN_TEXT.exec(text);
  if (!match) return null;
  return match[0].replace(/[.,;:!?)\]}]+$/, '');
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", nbsp: ' ' };
function decodeEntities(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&([a-z#0-9]+);/gi, (whole, name: string) => ENTITIES[name.toLowerCase()] ?? whole);
}

function attributesOf(tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-zA-Z_:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g)) {
    attrs[m[1]!.toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

/** Title, description and image of an HTML page: Open Graph first, then `<title>` and `meta name=description`. */
export function pageSummary(html: string): { title: string | null; description: string | null; image: string | null } {
  const meta: Record<string, string> = {};
  for (const m of html.matchAll(/<meta\b[^>]*>/gi)) {
    const attrs = attributesOf(m[0]);
    const name = (attrs.property ?? attrs.name)?.toLowerCase();
    if (name && attrs.content !== undefined && meta[name] === undefined) meta[name] = attrs.content.trim();
  }
  const titleTag = /<title\b[^>]*>([^<]*)<\/title>/i.exec(html)?.[1];
  const clean = (v: string | undefined) => (v && v.trim() !== '' ? v.trim().slice(0, 300) : null);
  return {
    title: clean(meta['og:title']) ?? clean(meta['twitter:title']) ?? clean(titleTag ? decodeEntities(titleTag) : undefined),
    description: clean(meta['og:description']) ?? clean(meta['twitter:description']) ?? clean(meta.description),
    image: clean(meta['og:image']) ?? clean(meta['og:image:url']) ?? clean(meta['twitter:image']),
  };
}

/**
 * The preview of the first link in `text` (title, description, JPEG thumbnail), fetched with the media URL guard
 * (no private addresses unless allowed, no redirects, time and size limits). Null when there is no link or the
 * page gives no title; a failure never fails the message (it goes without a preview).
 */
export async function fetchLinkPreview(text: string, options: LinkPreviewOptions): Promise<LinkPreview | null> {
  const link = firstLink(text);
  if (!link) return null;
  const timeoutMs = options.timeoutMs ?? 5000;
  try {
    const page = await safeRequest(link, {
      method: 'GET',
      timeoutMs,
      maxBodyBytes: MAX_PAGE_BYTES,
      onTooLarge: 'truncate',
      allowPrivate: options.allowPrivate,
      lookup: options.lookup,
      headers: { accept: 'text/html,application/xhtml+xml', 'user-agent': 'ZapEngine-LinkPreview/1' },
    });
    if (page.status < 200 || page.status >= 300 || !(page.contentType ?? '').includes('html')) return null;
    const summary = pageSummary(page.body.toString('utf8'));
    if (!summary.title) return null;
    let thumbnailBase64: string | null = null;
    if (summary.image) {
      try {
        const imageUrl = new URL(summary.image, link).href;
        const image = await fetchMedia({
          url: imageUrl,
          mediaType: 'image',
          limits: options.limits,
          timeoutMs,
          allowPrivate: options.allowPrivate,
          lookup: options.lookup,
        });
        const { default: sharp } = await import('sharp'); // loaded at the first preview, not at start-up
        const jpeg = await sharp(image.data).resize({ width: THUMBNAIL_WIDTH, withoutEnlargement: true }).jpeg({ quality: 70 }).toBuffer();
        thumbnailBase64 = jpeg.toString('base64');
      } catch (err) {
        options.logger.debug({ err: (err as Error).message }, 'link preview image skipped');
      }
    }
    return { matchedText: link, canonicalUrl: link, title: summary.title, description: summary.description, thumbnailBase64 };
  } catch (err) {
    options.logger.debug({ err: (err as Error).message }, 'link preview skipped');
    return null;
  }
}

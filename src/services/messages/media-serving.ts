import { sniffMimeType } from './media-rules.js';

/** How stored media is handed to a browser-capable client (GET …/messages/{id}/media). */
export interface MediaServing {
  contentType: string;
  /** `inline` only for types a browser shows passively (raster images, audio, video, PDF) whose bytes agree. */
  disposition: 'inline' | 'attachment';
  /** True when the reported type was not what the bytes are (the file is served as application/octet-stream). */
  mismatch: boolean;
}

/** Raster images (never SVG: it runs script), and PDF: shown inline when the bytes agree. */
const SNIFFABLE_INLINE = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'application/pdf']);

/** Types a browser would render actively (script, markup): never served under their own type. */
const ACTIVE = /^(text\/(html|xml|javascript|ecmascript|css|xsl)|application\/(xhtml\+xml|xml|javascript|ecmascript|x-javascript|rdf\+xml|vnd\.wap\.xhtml\+xml)|image\/svg\+xml|multipart\/x-mixed-replace)$|\+xml$/;

function bare(mimetype: string): string {
  return (mimetype.split(';')[0] ?? '').trim().toLowerCase();
}

/** Magic numbers for audio/video containers the send-side sniffer does not need. */
function sniffAv(head: Buffer): string | null {
  const ascii = (offset: number, text: string) => head.subarray(offset, offset + text.length).toString('latin1') === text;
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return 'video/webm';
  if (ascii(0, '#!AMR')) return 'audio/amr';
  if (head[0] === 0xff && head[1] !== undefined && (head[1] & 0xf6) === 0xf0) return 'audio/aac'; // ADTS
  return null;
}

/** What the first bytes say the file is (null: not a format we recognise); markup is recognised too. */
export function sniffStoredMedia(head: Buffer): string | null {
  const known = sniffMimeType(head) ?? sniffAv(head);
  if (known) return known;
  const text = head.subarray(0, 512).toString('latin1').replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart().toLowerCase();
  if (/^<(!doctype html|html|script|svg|\?xml|body|head|iframe|img)\b/.test(text)) return text.startsWith('<svg') ? 'image/svg+xml' : 'text/html';
  return null;
}

/**
 * Decides the type and disposition of stored media from the type WhatsApp (or the uploader) reported and the stored
 * bytes. Inline only for raster images, audio, video and PDF whose bytes agree with the reported type; markup and
 * anything unknown goes out as an attachment, and a type the bytes contradict as application/octet-stream.
 */
export function mediaServing(reportedMimetype: string, head: Buffer): MediaServing {
  const reported = bare(reportedMimetype) || 'application/octet-stream';
  const sniffed = sniffStoredMedia(head);
  const family = (type: string) => type.split('/')[0];
  let mismatch = false;
  if (SNIFFABLE_INLINE.has(reported)) {
    mismatch = sniffed !== reported;
  } else if (family(reported) === 'audio' || family(reported) === 'video') {
    // Many audio/video formats have no reliable magic here: only a recognised other kind is a contradiction.
    mismatch = sniffed !== null && family(sniffed) !== 'audio' && family(sniffed) !== 'video';
  } else if (sniffed === 'text/html' || sniffed === 'image/svg+xml') {
    mismatch = true;
  }
  if (mismatch || ACTIVE.test(reported) || reported.startsWith('image/svg')) {
    return { contentType: 'application/octet-stream', disposition: 'attachment', mismatch };
  }
  const inline = SNIFFABLE_INLINE.has(reported) || family(reported) === 'audio' || family(reported) === 'video';
  return { contentType: reportedMimetype, disposition: inline ? 'inline' : 'attachment', mismatch };
}

import type { Response } from 'express';
import { mediaServing } from '../../services/messages/media-serving.js';

/** Media that contacts sent is attacker-controlled: it must never run as a page on the API's origin. */
export const MEDIA_CSP = "default-src 'none'; sandbox";

/**
 * Answers with stored media: inline only for the safe types whose bytes agree (see mediaServing), an attachment
 * otherwise; always `nosniff` and a CSP that forbids everything (a sandboxed, script-less document if it is opened).
 */
export function sendStoredMedia(res: Response, media: { data: Buffer; mimetype: string; fileName: string | null }): void {
  const serving = mediaServing(media.mimetype, media.data.subarray(0, 512));
  res.set('X-Content-Type-Options', 'nosniff');
  res.set('Content-Security-Policy', MEDIA_CSP);
  res.set('Cross-Origin-Resource-Policy', 'same-origin');
  res.set('Cache-Control', 'private, max-age=3600');
  if (serving.disposition === 'attachment') res.attachment(media.fileName ?? 'media');
  else res.set('Content-Disposition', 'inline');
  // After attachment(): it would otherwise set a type from the file name's extension.
  res.set('Content-Type', serving.contentType);
  res.set('Content-Length', String(media.data.length));
  res.end(media.data);
}

import type { Logger } from 'pino';
import type { ForwardableContent, OutgoingContent } from '../../../engine/engine-types.js';
import type { HostLookup } from '../../../net/url-guard.js';
import type { SendContent } from '../../../queues/job-payloads.js';
import { PermanentSendError } from '../../../queues/send-errors.js';
import { fetchMedia } from '../media-fetcher.js';
import { assertMediaSize, resolveMediaMimetype, type MediaKind, type MediaLimits } from '../media-rules.js';
import type { MediaStorage } from '../media-storage.js';
import { fetchLinkPreview } from './link-preview.js';
import { toStickerWebp } from './sticker-image.js';
import { cardsDisplayName, toVCard } from './vcard.js';

export interface SendContentPreparerDeps {
  storage: MediaStorage;
  limits: MediaLimits;
  fetchTimeoutMs: number;
  allowPrivateUrls: boolean;
  lookup?: HostLookup;
  logger: Logger;
}

type MediaSource = Extract<SendContent, { type: 'media' }>['source'];

/**
 * Turns a send job's content into what the engine sends, at send time: media loaded (the stored upload, or the
 * URL fetched under the guard), stickers converted to webp, contact cards written as vCards, the link preview of a
 * text fetched (unless turned off). Throws what fetching and checking media throw (see send-failure-mapping.ts).
 */
export class SendContentPreparer {
  constructor(private readonly deps: SendContentPreparerDeps) {}

  async prepare(content: SendContent): Promise<OutgoingContent> {
    switch (content.type) {
      case 'poll':
        return {
          type: 'poll',
          question: content.question,
          options: content.options,
          selectableCount: content.selectableCount,
          messageSecretBase64: content.messageSecret,
        };
      case 'reaction':
        return { type: 'reaction', target: content.target, emoji: content.emoji };
      case 'edit':
        return { type: 'edit', target: content.target, text: content.text };
      case 'revoke':
        return { type: 'revoke', target: content.target };
      case 'forward':
        return {
          type: 'forward',
          message: content.message.type === 'stored' ? { type: 'stored', message: content.message.message } : await this.base(content.message, false),
        };
      default:
        return this.base(content, true);
    }
  }

  /** The kinds that can also be forwarded; a forwarded text goes without a preview. */
  private async base(
    content: Exclude<Extract<SendContent, { type: 'forward' }>['message'], { type: 'stored' }>,
    withPreview: boolean,
  ): Promise<Exclude<ForwardableContent, { type: 'stored' }>> {
    switch (content.type) {
      case 'text': {
        const preview =
          withPreview && content.linkPreview !== false
            ? await fetchLinkPreview(content.text, {
                allowPrivate: this.deps.allowPrivateUrls,
                lookup: this.deps.lookup,
                limits: this.deps.limits,
                logger: this.deps.logger,
              })
            : null;
        return { type: 'text', text: content.text, ...(preview ? { linkPreview: preview } : {}) };
      }
      case 'location':
        return {
          type: 'location',
          latitude: content.latitude,
          longitude: content.longitude,
          ...(content.name !== undefined ? { name: content.name } : {}),
          ...(content.address !== undefined ? { address: content.address } : {}),
        };
      case 'contacts':
        return {
          type: 'contacts',
          displayName: cardsDisplayName(content.contacts),
          contacts: content.contacts.map((card) => ({ displayName: card.name, vcard: toVCard(card) })),
        };
      case 'sticker': {
        const { data } = await this.load(content.source, 'image', undefined);
        return { type: 'sticker', dataBase64: (await toStickerWebp(data)).toString('base64') };
      }
      case 'media': {
        const { data, mimetype } = await this.load(content.source, content.mediaType, content.mimetype);
        return {
          type: 'media',
          mediaType: content.mediaType,
          dataBase64: data.toString('base64'),
          mimetype,
          ...(content.caption !== undefined ? { caption: content.caption } : {}),
          ...(content.fileName !== undefined ? { fileName: content.fileName } : {}),
          ...(content.ptt !== undefined ? { ptt: content.ptt } : {}),
        };
      }
    }
  }

  /** The media bytes: the stored upload, or the URL fetched with the guard; checked against the type's rules. */
  private async load(source: MediaSource, mediaType: MediaKind, declared: string | undefined): Promise<{ data: Buffer; mimetype: string }> {
    if (source.kind === 'stored') {
      const stored = await this.deps.storage.get(source.key);
      if (!stored) throw new PermanentSendError('media_missing', `the uploaded media ${source.key} is gone`);
      assertMediaSize(mediaType, stored.length, this.deps.limits);
      return { data: stored, mimetype: resolveMediaMimetype({ mediaType, contentType: declared ?? null, head: stored.subarray(0, 16) }) };
    }
    const fetched = await fetchMedia({
      url: source.url,
      mediaType,
      limits: this.deps.limits,
      declaredMimetype: declared ?? null,
      timeoutMs: this.deps.fetchTimeoutMs,
      allowPrivate: this.deps.allowPrivateUrls,
      lookup: this.deps.lookup,
    });
    return { data: fetched.data, mimetype: fetched.mimetype };
  }
}

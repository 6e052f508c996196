import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ConflictError } from '../../../errors/conflict-error.js';
import { ForbiddenError } from '../../../errors/forbidden-error.js';
import { GoneError } from '../../../errors/gone-error.js';
import { NotFoundError } from '../../../errors/not-found-error.js';
import { ValidationError } from '../../../errors/validation-error.js';
import { UnsafeUrlError } from '../../../net/net-errors.js';
import { vetUrl, type HostLookup } from '../../../net/url-guard.js';
import type { MessageEntity } from '../../../persistence/entities/message.entity.js';
import type { InstanceRepository } from '../../../persistence/repositories/instance-repository.js';
import type { MessageKindsRepository } from '../../../persistence/repositories/message-kinds-repository.js';
import { newMessageId } from '../../../persistence/repositories/message-inputs.js';
import type { MessageRepository } from '../../../persistence/repositories/message-repository.js';
import type { SendContent, SendJobPayload } from '../../../queues/job-payloads.js';
import { mediaKey, type MediaStorage } from '../media-storage.js';
import { assertMediaSize, MediaTypeNotAllowedError, sniffMimeType, type MediaLimits } from '../media-rules.js';
import type { Accepted, IdempotencyInput, MessagingService, SendCommonInput } from '../messaging-service.js';
import { phoneDigits, InvalidRecipientError } from '../recipient.js';
import { StickerImageError, toStickerWebp } from './sticker-image.js';
import type { ContactCard } from './vcard.js';

/** WhatsApp lets a sender edit a message for 15 minutes. */
export const EDIT_WINDOW_MS = 15 * 60_000;

export interface MessageKindsServiceDeps {
  messaging: MessagingService;
  instances: InstanceRepository;
  messages: MessageRepository;
  kinds: MessageKindsRepository;
  storage: MediaStorage;
  limits: MediaLimits;
  allowPrivateUrls: boolean;
  lookup?: HostLookup;
  logger: Logger;
  now?: () => number;
}

export interface SendLocationInput extends SendCommonInput {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
}
export interface SendContactInput extends SendCommonInput {
  contacts: Array<{ name: string; phones: string[]; org?: string; email?: string }>;
}
export interface SendPollInput extends SendCommonInput {
  question: string;
  options: string[];
  multipleAnswers?: boolean;
}
export type StickerSource =
  | { kind: 'url'; url: string }
  | { kind: 'upload'; data: Buffer };

const FORWARDABLE = new Set(['text', 'media', 'sticker', 'location', 'contacts']);

/**
 * The message kinds beyond text and media, each accepted through MessagingService.sendKind (one row, one job, the
 * same Idempotency-Key, order and pacing): location, contact cards, stickers, polls (with the secret their votes
 * are encrypted with), and the actions on a stored message: react, edit, revoke, forward; plus "delete for me".
 */
export class MessageKindsService {
  private readonly now: () => number;

  constructor(private readonly deps: MessageKindsServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  sendLocation(tenantId: string, instanceId: string, input: SendLocationInput, idem?: IdempotencyInput): Promise<Accepted> {
    const content: SendContent = {
      type: 'location',
      latitude: input.latitude,
      longitude: input.longitude,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.address !== undefined ? { address: input.address } : {}),
    };
    return this.deps.messaging.sendKind(tenantId, instanceId, input, { type: 'location', content, row: { text: input.name ?? null } }, idem);
  }

  sendContacts(tenantId: string, instanceId: string, input: SendContactInput, idem?: IdempotencyInput): Promise<Accepted> {
    const cards: ContactCard[] = input.contacts.map((c, i) => ({
      name: c.name,
      phones: c.phones.map((p, j) => this.phone(p, `contacts.${i}.phones.${j}`)),
      ...(c.org !== undefined ? { org: c.org } : {}),
      ...(c.email !== undefined ? { email: c.email } : {}),
    }));
    const text = cards.length === 1 ? cards[0]!.name : `${cards.length} contacts`;
    return this.deps.messaging.sendKind(tenantId, instanceId, input, { type: 'contact', content: { type: 'contacts', contacts: cards }, row: { text } }, idem);
  }

  sendPoll(tenantId: string, instanceId: string, input: SendPollInput, idem?: IdempotencyInput): Promise<Accepted> {
    const content: SendContent = {
      type: 'poll',
      question: input.question,
      options: input.options,
      selectableCount: input.multipleAnswers ? 0 : 1,
      messageSecret: randomBytes(32).toString('base64'),
    };
    return this.deps.messaging.sendKind(tenantId, instanceId, input, { type: 'poll', content, row: { text: input.question } }, idem);
  }

  /** A URL is vetted now and fetched (and converted) at send time; an upload is converted to webp and stored now. */
  async sendSticker(tenantId: string, instanceId: string, input: SendCommonInput, source: StickerSource, idem?: IdempotencyInput): Promise<Accepted> {
    await this.instanceOf(tenantId, instanceId);
    const replay = await this.deps.messaging.replayOf(tenantId, instanceId, idem);
    if (replay) return replay;
    if (source.kind === 'url') {
      try {
        await vetUrl(source.url, { allowPrivate: this.deps.allowPrivateUrls, lookup: this.deps.lookup });
      } catch (err) {
        if (err instanceof UnsafeUrlError) {
          throw new ValidationError(err.message, [{ location: 'body', path: 'stickerUrl', message: err.message, code: err.code }], 'MEDIA_URL_NOT_ALLOWED');
        }
      }
      return this.deps.messaging.sendKind(
        tenantId,
        instanceId,
        input,
        { type: 'sticker', content: { type: 'sticker', source: { kind: 'url', url: source.url } }, row: { mediaUrl: source.url, mediaMimetype: 'image/webp' } },
        idem,
      );
    }
    assertMediaSize('image', source.data.length, this.deps.limits);
    let webp: Buffer;
    try {
      webp = await toStickerWebp(source.data);
    } catch (err) {
      if (err instanceof StickerImageError) throw new MediaTypeNotAllowedError('image', sniffMimeType(source.data.subarray(0, 16)));
      throw err;
    }
    const id = newMessageId();
    const put = await this.deps.storage.put(mediaKey(instanceId, `${id}.webp`), webp);
    try {
      return await this.deps.messaging.sendKind(
        tenantId,
        instanceId,
        input,
        {
          id,
          type: 'sticker',
          content: { type: 'sticker', source: { kind: 'stored', key: put.key } },
          row: { mediaMimetype: 'image/webp', mediaSize: put.size, mediaSha256: put.sha256, mediaStorageKey: put.key, mediaStatus: 'stored' },
        },
        idem,
      );
    } catch (err) {
      await this.deps.storage.delete(put.key).catch(() => undefined);
      throw err;
    }
  }

  /** A reaction to any stored message; `""` removes ours. */
  async react(tenantId: string, instanceId: string, messageId: string, emoji: string, idem?: IdempotencyInput): Promise<Accepted> {
    const target = await this.target(tenantId, instanceId, messageId);
    return this.deps.messaging.sendKind(
      tenantId,
      instanceId,
      { to: target.chatJid },
      { type: 'reaction', content: { type: 'reaction', target: keyOf(target), emoji }, row: { text: emoji } },
      idem,
    );
  }

  /** Edits one of our text messages, within WhatsApp's 15 minutes (410 EDIT_WINDOW_CLOSED after). */
  async edit(tenantId: string, instanceId: string, messageId: string, text: string, idem?: IdempotencyInput): Promise<Accepted> {
    const target = await this.target(tenantId, instanceId, messageId);
    if (!target.fromMe) throw new ForbiddenError('Only your own messages can be edited', { messageId: target.id }, 'NOT_OWN_MESSAGE');
    if (target.type !== 'text') {
      throw new ValidationError('Only text messages can be edited', [{ location: 'params', path: 'messageId', message: `a ${target.type} message`, code: 'not_text' }], 'NOT_A_TEXT_MESSAGE');
    }
    if (target.revokedAt) throw new ConflictError('The message was deleted', { messageId: target.id }, 'MESSAGE_DELETED');
    if (target.status === 'failed') throw new ConflictError('The message was never sent', { messageId: target.id }, 'MESSAGE_NOT_SENT');
    const sentAt = (target.sentAt ?? target.messageTimestamp).getTime();
    if (this.now() - sentAt > EDIT_WINDOW_MS) {
      throw new GoneError('WhatsApp allows edits for 15 minutes after sending', { sentAt: new Date(sentAt).toISOString() }, 'EDIT_WINDOW_CLOSED');
    }
    return this.deps.messaging.sendKind(
      tenantId,
      instanceId,
      { to: target.chatJid },
      { type: 'edit', content: { type: 'edit', target: keyOf(target), text }, row: { text } },
      idem,
    );
  }

  /** Deletes one of our messages for everyone (WhatsApp's revoke). */
  async revoke(tenantId: string, instanceId: string, messageId: string, idem?: IdempotencyInput): Promise<Accepted> {
    const target = await this.target(tenantId, instanceId, messageId);
    if (!target.fromMe) throw new ForbiddenError('Only your own messages can be deleted for everyone', { messageId: target.id }, 'NOT_OWN_MESSAGE');
    if (target.revokedAt) throw new ConflictError('The message was already deleted', { messageId: target.id }, 'MESSAGE_DELETED');
    return this.deps.messaging.sendKind(
      tenantId,
      instanceId,
      { to: target.chatJid },
      { type: 'revoke', content: { type: 'revoke', target: keyOf(target) } },
      idem,
    );
  }

  /** Deletes a message from this instance's store only; WhatsApp and the other party keep it. */
  async deleteForMe(tenantId: string, instanceId: string, messageId: string): Promise<{ messageId: string; deleted: true; forMe: true }> {
    const target = await this.target(tenantId, instanceId, messageId);
    if (target.status === 'queued' || target.status === 'sending') {
      throw new ConflictError('The message is still being sent', { messageId: target.id, status: target.status }, 'MESSAGE_PENDING');
    }
    const removed = await this.deps.kinds.remove(instanceId, target.id);
    if (!removed) throw new NotFoundError('Message not found', undefined, 'MESSAGE_NOT_FOUND');
    if (removed.mediaStorageKey) await this.deps.storage.delete(removed.mediaStorageKey).catch(() => undefined);
    return { messageId: removed.id, deleted: true, forMe: true };
  }

  /** Forwards a stored message to `to`: a received one as WhatsApp gave it, one of ours with its content again. */
  async forward(tenantId: string, instanceId: string, messageId: string, to: string, idem?: IdempotencyInput): Promise<Accepted> {
    const source = await this.target(tenantId, instanceId, messageId);
    if (source.revokedAt) throw new ConflictError('The message was deleted', { messageId: source.id }, 'MESSAGE_DELETED');
    const raw = source.raw as { send?: SendJobPayload } | Record<string, unknown> | null;
    let message: Extract<SendContent, { type: 'forward' }>['message'];
    const sent = raw && 'send' in raw ? (raw.send as SendJobPayload | undefined) : undefined;
    if (sent) {
      const content = sent.content;
      if (!FORWARDABLE.has(content.type)) throw notForwardable(source);
      message = (content.type === 'text' ? { type: 'text', text: content.text } : content) as typeof message;
    } else if (raw && Object.keys(raw).length > 0 && !['reaction', 'protocol', 'poll', 'unknown'].includes(source.type)) {
      message = { type: 'stored', message: raw as Record<string, unknown> };
    } else {
      throw notForwardable(source);
    }
    return this.deps.messaging.sendKind(
      tenantId,
      instanceId,
      { to },
      {
        type: source.type,
        content: { type: 'forward', message },
        row: { text: source.text, caption: source.caption, mediaMimetype: source.mediaMimetype, mediaFileName: source.mediaFileName },
      },
      idem,
    );
  }

  private async instanceOf(tenantId: string, instanceId: string): Promise<void> {
    const instance = await this.deps.instances.findForTenant(instanceId, tenantId);
    if (!instance) throw new NotFoundError('Instance not found');
  }

  /** The stored message an action refers to (our id or WhatsApp's): 404 MESSAGE_NOT_FOUND when there is none. */
  private async target(tenantId: string, instanceId: string, messageId: string): Promise<MessageEntity> {
    await this.instanceOf(tenantId, instanceId);
    const found =
      (await this.deps.messages.findById(instanceId, messageId)) ?? (await this.deps.messages.findByWaId(instanceId, messageId));
    if (!found) throw new NotFoundError('No message with this id in this instance', { messageId }, 'MESSAGE_NOT_FOUND');
    return found;
  }

  private phone(value: string, path: string): string {
    try {
      return phoneDigits(value);
    } catch (err) {
      if (err instanceof InvalidRecipientError) {
        throw new ValidationError(err.message, [{ location: 'body', path, message: err.message, code: err.reason }], 'INVALID_PHONE');
      }
      throw err;
    }
  }
}

function notForwardable(message: MessageEntity): ValidationError {
  return new ValidationError(
    `A ${message.type} message cannot be forwarded`,
    [{ location: 'params', path: 'messageId', message: `a ${message.type} message`, code: 'not_forwardable' }],
    'NOT_FORWARDABLE',
  );
}

/** The WhatsApp key of a stored message, as an action names it. */
function keyOf(m: MessageEntity): { id: string; remoteJid: string; fromMe: boolean; participant?: string } {
  const participant = m.chatJid.endsWith('@g.us') && !m.fromMe && m.senderJid ? m.senderJid : undefined;
  return { id: m.waMessageId, remoteJid: m.chatJid, fromMe: m.fromMe, ...(participant ? { participant } : {}) };
}

import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ConflictError } from '../../errors/conflict-error.js';
import { NotFoundError } from '../../errors/not-found-error.js';
import { ValidationError } from '../../errors/validation-error.js';
import { UnsafeUrlError } from '../../net/net-errors.js';
import { vetUrl, type HostLookup } from '../../net/url-guard.js';
import type { MessageEntity } from '../../persistence/entities/message.entity.js';
import type { PageRequest } from '../../persistence/pagination.js';
import type { ChatRepository } from '../../persistence/repositories/chat-repository.js';
import type { ContactRepository } from '../../persistence/repositories/contact-repository.js';
import type { IdempotencyRepository } from '../../persistence/repositories/idempotency-repository.js';
import type { InstanceRepository } from '../../persistence/repositories/instance-repository.js';
import { newMessageId, type MessageRepository, type NewOutgoingMessage } from '../../persistence/repositories/message-repository.js';
import type { TransactionRunner } from '../../persistence/transaction-runner.js';
import type { SendContent, SendJobPayload } from '../../queues/job-payloads.js';
import { mediaKey, type MediaStorage } from './media-storage.js';
import { assertMediaSize, resolveMediaMimetype, type MediaKind, type MediaLimits } from './media-rules.js';
import type { MessagingEngine } from './messaging-ports.js';
import { toChatView, toContactView, toMessageView, toPageView, type MessageView } from './message-views.js';
import { InvalidRecipientError, normalizeRecipient } from './recipient.js';

export interface MessagingServiceDeps {
  instances: InstanceRepository;
  messages: MessageRepository;
  contacts: ContactRepository;
  chats: ChatRepository;
  idempotency: IdempotencyRepository;
  transactions: TransactionRunner;
  queue: { enqueueSend(payload: SendJobPayload): Promise<unknown> };
  storage: MediaStorage;
  engine: MessagingEngine;
  limits: MediaLimits;
  allowPrivateUrls: boolean;
  lookup?: HostLookup;
  /** How long an Idempotency-Key answer is replayed (default 24 h). */
  idempotencyTtlMs?: number;
  logger: Logger;
  /** Called after a job was enqueued (the module makes sure a worker runs for the instance). */
  onEnqueued?: (instanceId: string) => Promise<void> | void;
}

export interface SendTextInput {
  to: string;
  message: string;
  quotedMessageId?: string;
  mentions?: string[];
  /** In a group: mention every participant. */
  mentionsEveryone?: boolean;
  /** False: no preview of a link in the text (default: a preview is fetched at send time). */
  linkPreview?: boolean;
}

/** What every kind of message takes: the recipient, a quote and mentions. */
export interface SendCommonInput {
  to: string;
  quotedMessageId?: string;
  mentions?: string[];
  mentionsEveryone?: boolean;
}

/** One kind's row fields and job content (services/messages/kinds builds them). */
export interface KindDraft {
  type: string;
  content: SendContent;
  row?: Partial<Pick<NewOutgoingMessage, 'text' | 'caption' | 'mediaUrl' | 'mediaMimetype' | 'mediaFileName' | 'mediaSize' | 'mediaSha256' | 'mediaStorageKey' | 'mediaStatus'>>;
  /** Our message id when the caller fixed it (e.g. an upload stored under it). */
  id?: string;
}

export interface SendMediaInput {
  to: string;
  mediaType: MediaKind;
  caption?: string;
  fileName?: string;
  mimetype?: string;
  ptt?: boolean;
  quotedMessageId?: string;
  mentions?: string[];
  mentionsEveryone?: boolean;
}

/** `Idempotency-Key` of a request, with the fingerprint of what was asked. */
export interface IdempotencyInput {
  key: string;
  requestHash: string;
}

export interface Accepted {
  status: number;
  body: { success: true; data: { messageId: string; status: 'queued' } } | unknown;
  /** True when the answer is a replay of an earlier request with the same key. */
  replayed: boolean;
  /** The message this request created (absent on a replay). */
  message?: { messageId: string; waMessageId: string; chatJid: string; acceptedAt: Date };
}

/** A WhatsApp-style message id (`3EB0` + 18 hex), fixed before the first attempt. */
export function newWaMessageId(): string {
  return `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;
}

/** A stable fingerprint of a request for Idempotency-Key matching. */
export function requestFingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

class IdempotentReplay extends Error {}

/**
 * Messaging use cases of one tenant's instances: accept sends (row + job, answered at once), the number check,
 * and the read side (messages, contacts, chats, media). Another tenant's instance is "not found".
 */
export class MessagingService {
  constructor(private readonly deps: MessagingServiceDeps) {}

  private async instanceOf(tenantId: string, instanceId: string) {
    const instance = await this.deps.instances.findForTenant(instanceId, tenantId);
    if (!instance) throw new NotFoundError('Instance not found');
    return instance;
  }

  private recipientJid(to: string, field = 'to'): string {
    try {
      return normalizeRecipient(to).jid;
    } catch (err) {
      if (err instanceof InvalidRecipientError) {
        throw new ValidationError(err.message, [{ location: 'body', path: field, message: err.message, code: err.reason }], 'INVALID_RECIPIENT');
      }
      throw err;
    }
  }

  private async quotedWaId(instanceId: string, quotedMessageId: string | undefined): Promise<MessageEntity | null> {
    if (!quotedMessageId) return null;
    const quoted =
      (await this.deps.messages.findById(instanceId, quotedMessageId)) ??
      (await this.deps.messages.findByWaId(instanceId, quotedMessageId));
    if (!quoted) {
      throw new ValidationError('The quoted message does not exist', [
        { location: 'body', path: 'quotedMessageId', message: 'no message with this id in this instance', code: 'not_found' },
      ]);
    }
    return quoted;
  }

  /**
   * Accepts a text. Without a quote the tenant's ownership of the instance is checked by the insert itself (one
   * statement; another tenant's instance is still "not found"); a quote is looked up in the instance, so then first.
   */
  async sendText(tenantId: string, instanceId: string, input: SendTextInput, idem?: IdempotencyInput): Promise<Accepted> {
    if (input.quotedMessageId) await this.instanceOf(tenantId, instanceId);
    const replay = await this.replay(tenantId, instanceId, idem);
    if (replay) return replay;
    const to = this.recipientJid(input.to);
    const reply = await this.replyOf(instanceId, to, input);
    const content = { type: 'text' as const, text: input.message, ...(input.linkPreview === false ? { linkPreview: false } : {}) };
    return this.accept(tenantId, instanceId, idem, {
      row: { instanceId, chatJid: to, type: 'text', text: input.message, ...reply.row },
      job: (ids) => ({ ...ids, instanceId, to, content, ...reply.job }),
    });
  }

  /**
   * Accepts any other kind (location, contacts, sticker, poll, reaction, edit, revoke, forward) through the same
   * pipeline as texts: the instance checked, an Idempotency-Key replayed, the recipient, quote and mentions
   * resolved, the row stored `queued` and its job enqueued.
   */
  async sendKind(tenantId: string, instanceId: string, input: SendCommonInput, draft: KindDraft, idem?: IdempotencyInput): Promise<Accepted> {
    await this.instanceOf(tenantId, instanceId);
    const replay = await this.replay(tenantId, instanceId, idem);
    if (replay) return replay;
    const to = this.recipientJid(input.to);
    const reply = await this.replyOf(instanceId, to, input);
    return this.accept(tenantId, instanceId, idem, {
      row: { ...(draft.id ? { id: draft.id } : {}), instanceId, chatJid: to, type: draft.type, ...draft.row, ...reply.row },
      job: (ids) => ({ ...ids, instanceId, to, content: draft.content, ...reply.job }),
    });
  }

  /** Whether an Idempotency-Key was answered already (callers that store something first check this). */
  async replayOf(tenantId: string, instanceId: string, idem: IdempotencyInput | undefined): Promise<Accepted | null> {
    return this.replay(tenantId, instanceId, idem);
  }

  private async replyOf(instanceId: string, to: string, input: Omit<SendCommonInput, 'to'>) {
    if (input.mentionsEveryone && !to.endsWith('@g.us')) {
      throw new ValidationError('mentionsEveryone needs a group recipient', [
        { location: 'body', path: 'mentionsEveryone', message: 'only in a group (@g.us)', code: 'not_a_group' },
      ]);
    }
    const mentions = input.mentions?.map((m, i) => this.recipientJid(m, `mentions.${i}`));
    return replyParts(await this.quotedWaId(instanceId, input.quotedMessageId), mentions, input.mentionsEveryone === true);
  }

  /** `source`: a URL fetched at send time, or uploaded bytes stored now (they must survive a crash before the send). */
  async sendMedia(
    tenantId: string,
    instanceId: string,
    input: SendMediaInput,
    source: { kind: 'url'; url: string } | { kind: 'upload'; data: Buffer; contentType: string | null; originalName: string | null },
    idem?: IdempotencyInput,
  ): Promise<Accepted> {
    await this.instanceOf(tenantId, instanceId);
    const replay = await this.replay(tenantId, instanceId, idem);
    if (replay) return replay;
    const to = this.recipientJid(input.to);
    const reply = await this.replyOf(instanceId, to, input);
    const messageId = newMessageId();
    let stored: { key: string; size: number; sha256: string; mimetype: string } | null = null;
    if (source.kind === 'url') {
      try {
        await vetUrl(source.url, { allowPrivate: this.deps.allowPrivateUrls, lookup: this.deps.lookup });
      } catch (err) {
        if (err instanceof UnsafeUrlError) {
          throw new ValidationError(err.message, [{ location: 'body', path: 'mediaUrl', message: err.message, code: err.code }], 'MEDIA_URL_NOT_ALLOWED');
        }
        // A name that does not resolve now may later: the send retries.
      }
    } else {
      // media-rules errors (too large, type not allowed) go up as they are: http/domain-errors.ts maps them.
      assertMediaSize(input.mediaType, source.data.length, this.deps.limits);
      const mimetype = resolveMediaMimetype({
        mediaType: input.mediaType,
        contentType: source.contentType,
        declaredMimetype: input.mimetype,
        head: source.data.subarray(0, 16),
      });
      const put = await this.deps.storage.put(mediaKey(instanceId, `${messageId}.upload`), source.data);
      stored = { ...put, mimetype };
    }
    const fileName = input.fileName ?? (source.kind === 'upload' ? (source.originalName ?? undefined) : undefined);
    try {
      return await this.accept(tenantId, instanceId, idem, {
        row: {
          id: messageId,
          instanceId,
          chatJid: to,
          type: input.mediaType,
          caption: input.caption ?? null,
          mediaUrl: source.kind === 'url' ? source.url : null,
          mediaMimetype: stored?.mimetype ?? input.mimetype ?? null,
          mediaFileName: fileName ?? null,
          mediaSize: stored?.size ?? null,
          mediaSha256: stored?.sha256 ?? null,
          mediaStorageKey: stored?.key ?? null,
          mediaStatus: stored ? 'stored' : 'pending',
          ptt: input.mediaType === 'audio' && input.ptt === true,
          ...reply.row,
        },
        job: (ids) => ({
          ...ids,
          instanceId,
          to,
          content: {
            type: 'media',
            mediaType: input.mediaType,
            source: stored ? { kind: 'stored', key: stored.key } : { kind: 'url', url: (source as { url: string }).url },
            ...(input.caption !== undefined ? { caption: input.caption } : {}),
            ...(fileName !== undefined ? { fileName } : {}),
            ...((stored?.mimetype ?? input.mimetype) ? { mimetype: stored?.mimetype ?? input.mimetype } : {}),
            ...(input.ptt !== undefined ? { ptt: input.ptt } : {}),
          },
          ...reply.job,
        }),
      });
    } catch (err) {
      if (stored) await this.deps.storage.delete(stored.key).catch(() => undefined);
      throw err;
    }
  }

  private async replay(tenantId: string, instanceId: string, idem: IdempotencyInput | undefined): Promise<Accepted | null> {
    if (!idem) return null;
    const found = await this.deps.idempotency.find({ tenantId, instanceId, key: idem.key });
    if (!found) return null;
    if (found.requestHash !== idem.requestHash) {
      throw new ConflictError('This Idempotency-Key was used with a different request', undefined, 'IDEMPOTENCY_KEY_REUSED');
    }
    return { status: found.responseStatus, body: found.responseBody, replayed: true };
  }

  private async accept(
    tenantId: string,
    instanceId: string,
    idem: IdempotencyInput | undefined,
    draft: {
      row: Omit<NewOutgoingMessage, 'waMessageId'>;
      job: (ids: { messageId: string; waMessageId: string }) => SendJobPayload;
    },
  ): Promise<Accepted> {
    const messageId = draft.row.id ?? newMessageId();
    const waMessageId = newWaMessageId();
    const body = { success: true as const, data: { messageId, status: 'queued' as const } };
    const payload = draft.job({ messageId, waMessageId });
    const at = new Date();
    const row = { ...draft.row, id: messageId, waMessageId, messageTimestamp: at, raw: { send: payload } };
    try {
      const accepted = idem
        ? await this.deps.transactions.run(async (tx) => {
            const inserted = await this.deps.messages.acceptOutgoing(tenantId, row, tx);
            if (!inserted) return null;
            const saved = await this.deps.idempotency.save(
              { tenantId, instanceId, key: idem.key, requestHash: idem.requestHash, responseStatus: 202, responseBody: body, ttlMs: this.deps.idempotencyTtlMs ?? 24 * 3600_000 },
              tx,
            );
            if (!saved) throw new IdempotentReplay();
            return inserted;
          })
        : await this.deps.messages.acceptOutgoing(tenantId, row);
      if (!accepted) throw new NotFoundError('Instance not found');
    } catch (err) {
      if (err instanceof IdempotentReplay) {
        const again = await this.replay(tenantId, instanceId, idem);
        if (again) return again;
      }
      throw err;
    }
    try {
      await this.deps.queue.enqueueSend(payload);
    } catch (err) {
      this.deps.logger.error({ instanceId, messageId, err }, 'enqueue failed; the message stays queued for recovery');
      throw err;
    }
    await this.deps.onEnqueued?.(instanceId);
    this.deps.logger.debug({ instanceId, messageId }, 'message accepted');
    return { status: 202, body, replayed: false, message: { messageId, waMessageId, chatJid: draft.row.chatJid, acceptedAt: at } };
  }

  async getMessage(tenantId: string, instanceId: string, messageId: string): Promise<MessageView> {
    await this.instanceOf(tenantId, instanceId);
    const message =
      (await this.deps.messages.findById(instanceId, messageId)) ?? (await this.deps.messages.findByWaId(instanceId, messageId));
    if (!message) throw new NotFoundError('Message not found');
    return toMessageView(message);
  }

  async getMedia(tenantId: string, instanceId: string, messageId: string): Promise<{ data: Buffer; mimetype: string; fileName: string | null }> {
    await this.instanceOf(tenantId, instanceId);
    const message =
      (await this.deps.messages.findById(instanceId, messageId)) ?? (await this.deps.messages.findByWaId(instanceId, messageId));
    if (!message) throw new NotFoundError('Message not found');
    if (!message.mediaStatus) throw new NotFoundError('This message has no media', undefined, 'NO_MEDIA');
    if (message.mediaStatus !== 'stored' || !message.mediaStorageKey) {
      throw new ConflictError(
        message.mediaStatus === 'failed' ? `The media could not be stored: ${message.mediaError ?? 'unknown error'}` : 'The media is not stored yet',
        { mediaStatus: message.mediaStatus },
        'MEDIA_NOT_AVAILABLE',
      );
    }
    const data = await this.deps.storage.get(message.mediaStorageKey);
    if (!data) throw new NotFoundError('The media file is missing', undefined, 'MEDIA_MISSING');
    return { data, mimetype: message.mediaMimetype ?? 'application/octet-stream', fileName: message.mediaFileName };
  }

  /** WhatsApp's own lookup of a phone number. */
  async checkNumber(tenantId: string, instanceId: string, phone: string): Promise<{ phone: string; exists: boolean; jid: string | null }> {
    await this.instanceOf(tenantId, instanceId);
    const recipient = (() => {
      try {
        return normalizeRecipient(phone);
      } catch (err) {
        if (err instanceof InvalidRecipientError) {
          throw new ValidationError(err.message, [{ location: 'params', path: 'phone', message: err.message, code: err.reason }], 'INVALID_RECIPIENT');
        }
        throw err;
      }
    })();
    if (!recipient.phone) throw new ValidationError('Only phone numbers can be checked', undefined, 'INVALID_RECIPIENT');
    const found = await this.deps.engine.onWhatsApp(instanceId, recipient.phone);
    return { phone: `+${recipient.phone}`, exists: found.exists, jid: found.jid };
  }

  async listContacts(tenantId: string, instanceId: string, page: PageRequest, search?: string) {
    await this.instanceOf(tenantId, instanceId);
    return toPageView(await this.deps.contacts.list(instanceId, search ? { search } : {}, page), toContactView);
  }

  async listChats(tenantId: string, instanceId: string, page: PageRequest, filter: { archived?: boolean; isGroup?: boolean } = {}) {
    await this.instanceOf(tenantId, instanceId);
    return toPageView(await this.deps.chats.list(instanceId, filter, page), toChatView);
  }

  async listChatMessages(tenantId: string, instanceId: string, chat: string, page: PageRequest) {
    await this.instanceOf(tenantId, instanceId);
    const jid = this.chatJid(chat);
    return toPageView(await this.deps.messages.listByChat(instanceId, jid, page), toMessageView);
  }

  /** Marks the chat's inbound messages read here and sends WhatsApp read receipts for them. */
  async markChatRead(tenantId: string, instanceId: string, chat: string): Promise<{ jid: string; marked: number }> {
    await this.instanceOf(tenantId, instanceId);
    const jid = this.chatJid(chat);
    const unread = await this.deps.messages.findUnreadInbound(instanceId, jid);
    if (unread.length > 0) {
      await this.deps.engine.readMessages(
        instanceId,
        unread.map((m) => ({ id: m.waMessageId, remoteJid: m.chatJid, participant: jid.endsWith('@g.us') ? m.senderJid : null })),
      );
    }
    await this.deps.transactions.run(async (tx) => {
      await this.deps.messages.markChatRead(instanceId, jid, new Date(), tx);
      await this.deps.chats.upsertMany(instanceId, [{ jid, unreadCount: 0 }], tx);
    });
    return { jid, marked: unread.length };
  }

  private chatJid(chat: string): string {
    if (chat.includes('@')) {
      try {
        return normalizeRecipient(chat).jid;
      } catch {
        if (/^[0-9A-Za-z.:_-]+@[a-z.]+$/.test(chat)) return chat; // a JID we do not send to but may have stored
      }
    }
    return this.recipientJid(chat, 'jid');
  }
}

/** The quote and mentions of a send, as the stored row and the send job carry them. */
function replyParts(quoted: MessageEntity | null, mentions: string[] | undefined, mentionsEveryone: boolean) {
  return {
    row: { mentions: mentions ?? null, quotedWaMessageId: quoted?.waMessageId ?? null },
    job: {
      ...(quoted ? { quotedMessageId: quoted.id } : {}),
      ...(mentions?.length ? { mentions } : {}),
      ...(mentionsEveryone ? { mentionsEveryone: true } : {}),
    },
  };
}


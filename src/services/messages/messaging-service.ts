import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { pooledRandomText } from '../../crypto/random-pool.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { NotFoundError } from '../../errors/not-found-error.js';
import { ValidationError } from '../../errors/validation-error.js';
import { UnsafeUrlError } from '../../net/net-errors.js';
import { vetUrl, type HostLookup } from '../../net/url-guard.js';
import type { MessageEntity } from '../../persistence/entities/message.entity.js';
import type { IdempotencyRepository } from '../../persistence/repositories/idempotency-repository.js';
import type { InstanceRepository } from '../../persistence/repositories/instance-repository.js';
import { newMessageId, type NewOutgoingMessage } from '../../persistence/repositories/message-inputs.js';
import type { MessageRepository } from '../../persistence/repositories/message-repository.js';
import type { TransactionRunner } from '../../persistence/transaction-runner.js';
import type { SendContent, SendJobPayload } from '../../queues/job-payloads.js';
import { mediaKey, type MediaStorage } from './media-storage.js';
import { recipientJidOf } from './recipient-input.js';
import { instanceOfTenant } from './tenant-instance.js';
import type { StagedFile } from './staged-upload.js';
import { assertMediaSize, resolveMediaMimetype, type MediaKind, type MediaLimits } from './media-rules.js';
import type { LidDirectory } from './lid-directory.js';
import type { AcceptBatcher } from './accept-batcher.js';

export interface MessagingServiceDeps {
  instances: InstanceRepository;
  messages: MessageRepository;
  /** Files a send to a LID under the phone JID when the pair is known (one chat per contact). */
  lids?: LidDirectory;
  idempotency: IdempotencyRepository;
  transactions: TransactionRunner;
  queue: { enqueueSend(payload: SendJobPayload): Promise<unknown> };
  /** Accepts without an Idempotency-Key go through it (one statement and one addBulk for the sends of a moment). */
  batcher?: Pick<AcceptBatcher, 'accept'>;
  storage: MediaStorage;
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
  return `3EB0${pooledRandomText(9, 'hex').toUpperCase()}`;
}

/** A stable fingerprint of a request for Idempotency-Key matching. */
export function requestFingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

class IdempotentReplay extends Error {}

/**
 * Sending for one tenant's instances: accepts a send (row + job, answered at once, Idempotency-Key replays).
 * Another tenant's instance is "not found". The read side is MessageQueries; the number check and read receipts
 * are ChatActions.
 */
export class MessagingService {
  constructor(private readonly deps: MessagingServiceDeps) {}

  /** Throws a 404 unless the tenant owns the instance (checked before an upload's body is read). */
  async assertInstance(tenantId: string, instanceId: string): Promise<void> {
    await instanceOfTenant(this.deps.instances, tenantId, instanceId);
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
    if (input.quotedMessageId) await instanceOfTenant(this.deps.instances, tenantId, instanceId);
    const replay = await this.replay(tenantId, instanceId, idem);
    if (replay) return replay;
    const to = recipientJidOf(input.to);
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
    await instanceOfTenant(this.deps.instances, tenantId, instanceId);
    const replay = await this.replay(tenantId, instanceId, idem);
    if (replay) return replay;
    const to = recipientJidOf(input.to);
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
    const mentions = input.mentions?.map((m, i) => recipientJidOf(m, `mentions.${i}`));
    return replyParts(await this.quotedWaId(instanceId, input.quotedMessageId), mentions, input.mentionsEveryone === true);
  }

  /**
   * `source`: a URL fetched at send time, or an upload staged on disk, taken over by the storage now (it must
   * survive a crash before the send).
   */
  async sendMedia(
    tenantId: string,
    instanceId: string,
    input: SendMediaInput,
    source: { kind: 'url'; url: string } | { kind: 'upload'; file: StagedFile; contentType: string | null; originalName: string | null },
    idem?: IdempotencyInput,
  ): Promise<Accepted> {
    await instanceOfTenant(this.deps.instances, tenantId, instanceId);
    const replay = await this.replay(tenantId, instanceId, idem);
    if (replay) return replay;
    const to = recipientJidOf(input.to);
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
      assertMediaSize(input.mediaType, source.file.size, this.deps.limits);
      const mimetype = resolveMediaMimetype({
        mediaType: input.mediaType,
        contentType: source.contentType,
        declaredMimetype: input.mimetype,
        head: source.file.head.subarray(0, 16),
      });
      const put = await this.deps.storage.adopt(mediaKey(instanceId, `${messageId}.upload`), source.file);
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
    await this.enqueueIfStranded(instanceId, found.responseBody);
    return { status: found.responseStatus, body: found.responseBody, replayed: true };
  }

  /**
   * A node killed between the commit of an accepted message and its enqueue leaves a `queued` row without a job, and
   * the client's retry (same Idempotency-Key, on a surviving node) replays the 202: without this the message would
   * wait for the next node start (requeue-accepted.ts), forever if none restarts. The enqueue is a no-op when the job
   * exists (its id is the message id), so a replay costs one row read and, while the row is queued, one add.
   */
  private async enqueueIfStranded(instanceId: string, body: unknown): Promise<void> {
    const messageId = (body as { data?: { messageId?: unknown } } | null)?.data?.messageId;
    if (typeof messageId !== 'string') return;
    const row = await this.deps.messages.findById(instanceId, messageId);
    const payload = (row?.raw as { send?: SendJobPayload } | null | undefined)?.send;
    if (row?.status !== 'queued' || !payload) return;
    await this.deps.queue.enqueueSend(payload);
    await this.deps.onEnqueued?.(instanceId);
  }

  /**
   * The accept of one send: its insert (with the Idempotency-Key's answer, in one transaction), then its job.
   * Returns the earlier answer when the key was used meanwhile (a replay), null when this send was accepted.
   */
  private async acceptAlone(
    tenantId: string,
    instanceId: string,
    idem: IdempotencyInput | undefined,
    row: NewOutgoingMessage,
    payload: SendJobPayload,
    body: unknown,
  ): Promise<Accepted | null> {
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
      this.deps.logger.error({ instanceId, messageId: payload.messageId, err }, 'enqueue failed; the message stays queued for recovery');
      throw err;
    }
    return null;
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
    // A send to a LID whose phone we know is filed in the phone's chat (the job still goes to the LID).
    const chatJid = this.deps.lids ? await this.deps.lids.canonical(instanceId, draft.row.chatJid) : draft.row.chatJid;
    const row = { ...draft.row, chatJid, id: messageId, waMessageId, messageTimestamp: at, raw: { send: payload } };
    if (!idem && this.deps.batcher) {
      // Row and job with the other sends of this moment; the batcher logs an enqueue that failed.
      if (!(await this.deps.batcher.accept({ tenantId, input: row, payload }))) throw new NotFoundError('Instance not found');
    } else {
      const replayed = await this.acceptAlone(tenantId, instanceId, idem, row, payload, body);
      if (replayed) return replayed;
    }
    await this.deps.onEnqueued?.(instanceId);
    this.deps.logger.debug({ instanceId, messageId }, 'message accepted');
    return { status: 202, body, replayed: false, message: { messageId, waMessageId, chatJid: draft.row.chatJid, acceptedAt: at } };
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


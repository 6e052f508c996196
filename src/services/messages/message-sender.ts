import type { QuotedMessage } from '../../engine/engine-types.js';
import type { MessageRepository } from '../../persistence/repositories/message-repository.js';
import type { SendJobPayload } from '../../queues/job-payloads.js';
import { PermanentSendError } from '../../queues/send-errors.js';
import type { MessageSender } from '../../queues/send-ports.js';
import { SendContentPreparer, type SendContentPreparerDeps } from './kinds/send-content.js';
import type { LidDirectory } from './lid-directory.js';
import type { MessagingEngine } from './messaging-ports.js';
import { toSendError } from './send-failure-mapping.js';

/**
 * Statuses that prove the contact has the message. Not `sent`: it is recorded when the stanza left our process, and
 * a node killed with SIGKILL right after (the socket reset with inbound data unread) loses what was still in the
 * kernel's send buffer; the fault test saw exactly that (a `sent` row the simulator never received, so the survivor
 * skipped it). Sending again is safe: the WhatsApp id is fixed, and a resent id is shown once.
 */
const ALREADY_RECEIVED = new Set(['delivered', 'read', 'played']);

/** The engine and the message store, and what preparing the content needs (media storage, limits, the URL guard). */
export interface EngineMessageSenderDeps extends SendContentPreparerDeps {
  engine: MessagingEngine;
  messages: MessageRepository;
  /** A phone whose contact writes LID-addressed is sent to its LID. Optional for tests of the send path alone. */
  lids?: LidDirectory;
  /** How long a positive "is on WhatsApp" answer is trusted (default 10 min; 0 checks every message). */
  numberCacheMs?: number;
  now?: () => number;
}

/**
 * The send worker's MessageSender over the engine: checks the number with WhatsApp's lookup (not on WhatsApp →
 * permanent failure), prepares the content (kinds/send-content.ts: media, stickers, vCards, link previews), resolves the quoted
 * message, and sends with the job's fixed WhatsApp id through EngineControl (routed to the owning node).
 */
export class EngineMessageSender implements MessageSender {
  private readonly known = new Map<string, { jid: string; until: number }>();
  private readonly now: () => number;
  private readonly content: SendContentPreparer;

  constructor(private readonly deps: EngineMessageSenderDeps) {
    this.now = deps.now ?? Date.now;
    this.content = new SendContentPreparer(deps);
  }

  async send(job: SendJobPayload, attempt: { first: boolean } = { first: false }): Promise<{ waMessageId: string }> {
    try {
      if (!attempt.first) {
        // A job taken again after a crash may have gone out already: a receipt moved the row on. Otherwise it goes
        // out again under the same id (WhatsApp shows it once).
        const row = await this.deps.messages.findById(job.instanceId, job.messageId);
        if (!row) throw new PermanentSendError('message_deleted', `message ${job.messageId} no longer exists (instance deleted?)`);
        if (ALREADY_RECEIVED.has(row.status)) return { waMessageId: row.waMessageId };
      }
      const jid = await this.resolveJid(job.instanceId, job.to);
      const content = await this.content.prepare(job.content);
      const quoted = await this.quotedOf(job);
      const sent = await this.deps.engine.send(job.instanceId, jid, content, {
        messageId: job.waMessageId,
        ...(quoted ? { quoted } : {}),
        ...(job.mentions?.length ? { mentions: job.mentions } : {}),
        ...(job.mentionsEveryone ? { mentionsEveryone: true } : {}),
      });
      return { waMessageId: sent.messageId };
    } catch (err) {
      throw toSendError(err);
    }
  }

  /**
   * User JIDs go through WhatsApp's lookup, then to the contact's LID when its chat is LID-addressed (where
   * WhatsApp expects it); LIDs and groups are sent as they are.
   */
  private async resolveJid(instanceId: string, to: string): Promise<string> {
    if (!to.endsWith('@s.whatsapp.net')) return to;
    const jid = await this.lookUpJid(instanceId, to);
    return this.deps.lids ? this.deps.lids.sendTarget(instanceId, jid) : jid;
  }

  private async lookUpJid(instanceId: string, to: string): Promise<string> {
    const cacheKey = `${instanceId}|${to}`;
    const cached = this.known.get(cacheKey);
    if (cached && cached.until > this.now()) return cached.jid;
    const phone = to.slice(0, to.indexOf('@'));
    const found = await this.deps.engine.onWhatsApp(instanceId, phone);
    if (!found.exists) throw new PermanentSendError('number_not_on_whatsapp', `+${phone} is not on WhatsApp`);
    const jid = found.jid ?? to;
    const ttl = this.deps.numberCacheMs ?? 10 * 60_000;
    if (ttl > 0) {
      if (this.known.size > 50_000) this.known.clear();
      this.known.set(cacheKey, { jid, until: this.now() + ttl });
    }
    return jid;
  }

  private async quotedOf(job: SendJobPayload): Promise<QuotedMessage | undefined> {
    if (!job.quotedMessageId) return undefined;
    const quoted = await this.deps.messages.findById(job.instanceId, job.quotedMessageId);
    if (!quoted) return undefined; // deleted meanwhile: send without the quote
    const raw = quoted.raw as { send?: unknown } | Record<string, unknown> | null;
    const stored = raw && !('send' in raw) ? (raw as Record<string, unknown>) : null;
    return {
      key: {
        id: quoted.waMessageId,
        remoteJid: quoted.chatJid,
        fromMe: quoted.fromMe,
        participant: quoted.chatJid.endsWith('@g.us') ? quoted.senderJid : null,
      },
      message: stored ?? { conversation: quoted.text ?? quoted.caption ?? '' },
    };
  }
}

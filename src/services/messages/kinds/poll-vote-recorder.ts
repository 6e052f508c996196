import type { Logger } from 'pino';
import type { WaMessage } from '../../../engine/engine-types.js';
import type { MessageKindsRepository } from '../../../persistence/repositories/message-kinds-repository.js';
import type { MessageRepository } from '../../../persistence/repositories/message-repository.js';
import type { WebhookEventRepository } from '../../../persistence/repositories/webhook-event-repository.js';
import type { TransactionRunner } from '../../../persistence/transaction-runner.js';
import type { EventNotifier } from '../../webhooks/event-notifier.js';
import { unwrap } from '../inbound-content.js';
import type { MessagingEngine } from '../messaging-ports.js';
import { messageUpdateBase } from '../message-update-event.js';
import { optionHash, pollDefinitionOf, pollTallyOf } from './poll-view.js';

export interface PollVoteRecorderDeps {
  messages: Pick<MessageRepository, 'findByWaId'>;
  kinds: Pick<MessageKindsRepository, 'applyPollVote'>;
  events: Pick<WebhookEventRepository, 'append'>;
  transactions: TransactionRunner;
  notifier: EventNotifier;
  engine: Pick<MessagingEngine, 'decryptPollVote'>;
  logger: Logger;
}

interface PollUpdate {
  pollCreationMessageKey?: { id?: string };
  vote?: { encPayload?: string; encIv?: string };
  senderTimestampMs?: string | number;
}

/** The `pollUpdateMessage` of a message, or null. */
export function pollUpdateOf(msg: WaMessage): PollUpdate | null {
  const content = unwrap(msg.message);
  const update = content?.pollUpdateMessage;
  return typeof update === 'object' && update !== null ? (update as PollUpdate) : null;
}

/** A jid without its device part (`5511…:3@s.whatsapp.net` → `5511…@s.whatsapp.net`). */
function bare(jid: string): string {
  return jid.replace(/:\d+@/, '@');
}

/**
 * Poll votes: WhatsApp sends each vote encrypted with the poll's messageSecret. This finds the poll's row (ours or
 * one we received), has the engine decrypt the vote (it knows our own jids and Baileys' phone ↔ LID mapping), maps
 * the option hashes to names, keeps the voter's latest vote on the row, and appends a `messages.update` event with
 * the running tally, in one transaction. Voters are named by phone jid when WhatsApp told us it, else by LID;
 * our own votes (from another device) as `me`.
 */
export class PollVoteRecorder {
  constructor(private readonly deps: PollVoteRecorderDeps) {}

  async onVote(instanceId: string, msg: WaMessage): Promise<void> {
    const update = pollUpdateOf(msg);
    const pollId = update?.pollCreationMessageKey?.id;
    const log = this.deps.logger.child({ instanceId, pollId, voteId: msg.key.id });
    if (!update || !pollId || !update.vote?.encPayload || !update.vote.encIv) return;
    const poll = await this.deps.messages.findByWaId(instanceId, pollId);
    const definition = poll ? pollDefinitionOf(poll) : null;
    if (!poll || !definition?.messageSecret) {
      log.info('vote on a poll we do not have (or without its secret): ignored');
      return;
    }
    const isGroup = msg.key.remoteJid.endsWith('@g.us');
    const named = isGroup ? [msg.key.participant, msg.key.participantAlt] : [msg.key.remoteJid, msg.key.remoteJidAlt];
    const jids = named.filter((j): j is string => typeof j === 'string' && j !== '').map(bare);
    const decrypted = await this.deps.engine.decryptPollVote(instanceId, {
      encPayloadBase64: update.vote.encPayload,
      encIvBase64: update.vote.encIv,
      pollMsgId: poll.waMessageId,
      messageSecretBase64: definition.messageSecret,
      creator: poll.fromMe ? 'me' : (poll.senderJid ?? poll.chatJid),
      voter: msg.key.fromMe ? 'me' : jids,
    });
    if (!decrypted) {
      log.warn('poll vote could not be decrypted');
      return;
    }
    const byHash = new Map(definition.options.map((name) => [optionHash(name), name]));
    const options = decrypted.selectedOptionHashes.map((h) => byHash.get(h)).filter((n): n is string => n !== undefined);
    const voter = msg.key.fromMe ? 'me' : (jids.find((j) => j.endsWith('@s.whatsapp.net')) ?? jids[0] ?? decrypted.voterJid);
    const sentMs = Number(update.senderTimestampMs);
    const at = Number.isFinite(sentMs) && sentMs > 0 ? sentMs : (msg.messageTimestamp ?? Math.floor(Date.now() / 1000)) * 1000;

    const appended = await this.deps.transactions.run(async (tx) => {
      const updated = await this.deps.kinds.applyPollVote(instanceId, poll.waMessageId, { voter, options, at }, tx);
      if (!updated) return null;
      return this.deps.events.append(
        {
          instanceId,
          event: 'messages.update',
          data: {
            ...messageUpdateBase(updated),
            pollUpdates: [{ voter, selectedOptions: options, voteId: msg.key.id, at: new Date(at).toISOString() }],
            poll: pollTallyOf(updated),
          },
        },
        tx,
      );
    });
    if (appended) this.deps.notifier.notifyAppended(instanceId, appended.event.sequence, appended.deliveries.length);
    log.debug({ options: options.length }, appended ? 'poll vote recorded' : 'stale poll vote ignored');
  }
}

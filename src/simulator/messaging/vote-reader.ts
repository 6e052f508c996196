import type { proto } from '@whiskeysockets/baileys';
import type { MessageBook } from './message-book.js';
import { decryptPollVote, optionHash } from './poll-crypto.js';
import { userJid, type Addressing } from './contact-messages.js';

/** A decrypted poll vote as the inbox shows it. */
export interface InboxVote {
  pollId: string;
  /** The option names selected (empty: the vote was withdrawn). */
  options: string[];
  /** The jid forms the vote key was derived from (what decrypted it). */
  creatorJid: string;
  voterJid: string;
}

const FORMS: Addressing[] = ['pn', 'lid'];

/**
 * Decrypts a vote `voter` sent for a poll the simulator knows, trying the phone and LID form of the creator's and
 * the voter's jid (WhatsApp derives the key from one of them, depending on the chat's addressing).
 */
export function readVote(update: proto.Message.IPollUpdateMessage, book: MessageBook, voter: string): InboxVote | { error: string } {
  const pollId = update.pollCreationMessageKey?.id;
  const vote = update.vote;
  if (!pollId || !vote?.encPayload || !vote.encIv) return { error: 'vote without poll key or payload' };
  const poll = book.poll(pollId);
  if (!poll) return { error: `unknown poll ${pollId}` };
  const names = new Map(poll.options.map((name) => [optionHash(name).toString('base64'), name]));
  for (const creatorForm of FORMS) {
    for (const voterForm of FORMS) {
      const creatorJid = userJid(poll.creator, creatorForm);
      const voterJid = userJid(voter, voterForm);
      try {
        const hashes = decryptPollVote({ encPayload: vote.encPayload, encIv: vote.encIv }, { pollMsgId: pollId, pollCreatorJid: creatorJid, voterJid, pollEncKey: poll.secret });
        return { pollId, options: hashes.map((h) => names.get(h.toString('base64')) ?? `unknown:${h.toString('hex')}`), creatorJid, voterJid };
      } catch {
        // another jid form
      }
    }
  }
  return { error: `no jid form of creator ${poll.creator} and voter ${voter} decrypts the vote` };
}

import { createHash } from 'node:crypto';
import type { MessageEntity, PollVotes } from '../../../persistence/entities/message.entity.js';

/** What a poll is, read from its stored row: ours (the send job's content) or one we received (WhatsApp's JSON). */
export interface PollDefinition {
  question: string;
  options: string[];
  /** 1: one answer; 0: any number. */
  selectableCount: number;
  /** The messageSecret (base64) its votes are encrypted with. */
  messageSecret: string | null;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : null);

export function pollDefinitionOf(row: Pick<MessageEntity, 'raw'>): PollDefinition | null {
  const raw = obj(row.raw);
  if (!raw) return null;
  const sent = obj(obj(raw.send)?.content);
  if (sent) {
    if (sent.type !== 'poll') return null;
    return {
      question: String(sent.question),
      options: (sent.options as string[]) ?? [],
      selectableCount: Number(sent.selectableCount ?? 0),
      messageSecret: typeof sent.messageSecret === 'string' ? sent.messageSecret : null,
    };
  }
  const creation = obj(raw.pollCreationMessage) ?? obj(raw.pollCreationMessageV2) ?? obj(raw.pollCreationMessageV3);
  if (!creation) return null;
  const options = Array.isArray(creation.options)
    ? creation.options.map((o) => obj(o)?.optionName).filter((n): n is string => typeof n === 'string')
    : [];
  const secret = obj(raw.messageContextInfo)?.messageSecret;
  return {
    question: typeof creation.name === 'string' ? creation.name : '',
    options,
    selectableCount: Number(creation.selectableOptionsCount ?? 0),
    messageSecret: typeof secret === 'string' ? secret : null,
  };
}

/** sha256 (hex) of an option name: how a vote names what it chose. */
export function optionHash(name: string): string {
  return createHash('sha256').update(Buffer.from(name)).digest('hex');
}

export interface PollTally {
  question: string;
  multipleAnswers: boolean;
  /** Each option, in the poll's order, with its voters (jids). */
  options: Array<{ name: string; votes: number; voters: string[] }>;
  /** People with a vote standing (a withdrawn vote does not count). */
  totalVoters: number;
}

/** The running tally of a poll row, or null when the row is not a poll. */
export function pollTallyOf(row: Pick<MessageEntity, 'raw' | 'pollVotes'>): PollTally | null {
  const poll = pollDefinitionOf(row);
  if (!poll) return null;
  const votes: PollVotes = row.pollVotes ?? {};
  const standing = Object.entries(votes).filter(([, v]) => v.options.length > 0);
  return {
    question: poll.question,
    multipleAnswers: poll.selectableCount !== 1,
    options: poll.options.map((name) => {
      const voters = standing.filter(([, v]) => v.options.includes(name)).map(([voter]) => voter).sort();
      return { name, votes: voters.length, voters };
    }),
    totalVoters: standing.length,
  };
}

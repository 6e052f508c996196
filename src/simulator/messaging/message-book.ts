import type { proto } from '@whiskeysockets/baileys';

/** One message the simulator saw: sent by a contact, or sent by a device and decrypted by a contact. */
export interface BookEntry {
  id: string;
  message: proto.IMessage;
  /** Phone number of the sender (a contact or a linked number). */
  sender: string;
  /** The chat: a group jid, or the other party's phone number in a 1:1 chat (as seen by the sender). */
  chat: string;
}

/**
 * The messages the simulator can refer back to: what a reply quotes, what a reaction, edit or revoke targets, and
 * the polls (with their messageSecret) that votes are encrypted for. Kept for the simulator's lifetime.
 */
export class MessageBook {
  private readonly entries = new Map<string, BookEntry>();

  record(entry: BookEntry): void {
    if (!this.entries.has(entry.id)) this.entries.set(entry.id, entry);
  }

  get(id: string): BookEntry | undefined {
    return this.entries.get(id);
  }

  /** A poll by its creation message id: its secret, options and creator. */
  poll(id: string): { secret: Uint8Array; options: string[]; selectableCount: number; creator: string; chat: string } | undefined {
    const entry = this.entries.get(id);
    const poll = entry && pollOf(entry.message);
    const secret = entry?.message.messageContextInfo?.messageSecret;
    if (!entry || !poll || !secret?.length) return undefined;
    return { secret, options: poll.options, selectableCount: poll.selectableCount, creator: entry.sender, chat: entry.chat };
  }
}

/** The poll creation content of a message (v1, v2 or v3), if it is one. */
export function pollOf(m: proto.IMessage): { question: string; options: string[]; selectableCount: number } | undefined {
  const poll = m.pollCreationMessageV3 ?? m.pollCreationMessageV2 ?? m.pollCreationMessage;
  if (!poll) return undefined;
  return { question: poll.name ?? '', options: (poll.options ?? []).map((o) => o.optionName ?? ''), selectableCount: poll.selectableOptionsCount ?? 0 };
}

import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { proto } from '@whiskeysockets/baileys';

/*
 * Poll votes as WhatsApp encrypts them (what Baileys' decryptPollVote undoes): the poll creation message carries a
 * 32-byte messageContextInfo.messageSecret; each vote is a PollVoteMessage{selectedOptions: [sha256(optionName)]}
 * encrypted with AES-256-GCM under a key derived from that secret (HKDF-SHA256 with a zero salt, one block of
 * expand over `pollMsgId ‖ creatorJid ‖ voterJid ‖ "Poll Vote"`), with AAD `pollMsgId \0 voterJid`.
 * The jids are user jids without a device (`123@s.whatsapp.net` or `456@lid`); which form WhatsApp uses depends on
 * the chat's addressing, so a receiver tries both forms of each (see README).
 */

const GCM_TAG = 16;

export interface PollVoteContext {
  pollMsgId: string;
  /** The poll creator's user jid, as the voter names it. */
  pollCreatorJid: string;
  /** The voter's user jid. */
  voterJid: string;
  /** The poll's messageSecret (32 bytes). */
  pollEncKey: Uint8Array;
}

function voteKey(ctx: PollVoteContext): Buffer {
  const prk = createHmac('sha256', Buffer.alloc(32)).update(ctx.pollEncKey).digest();
  const info = Buffer.concat([Buffer.from(ctx.pollMsgId), Buffer.from(ctx.pollCreatorJid), Buffer.from(ctx.voterJid), Buffer.from('Poll Vote'), Buffer.from([1])]);
  return createHmac('sha256', prk).update(info).digest();
}

const aad = (ctx: PollVoteContext): Buffer => Buffer.from(`${ctx.pollMsgId}\u0000${ctx.voterJid}`);

/** sha256 of an option name: how a vote names the options it selects. */
export const optionHash = (name: string): Buffer => createHash('sha256').update(Buffer.from(name)).digest();

/** Encrypts a vote for `optionNames` (an empty list withdraws the vote). */
export function encryptPollVote(optionNames: string[], ctx: PollVoteContext): { encPayload: Buffer; encIv: Buffer } {
  const plaintext = proto.Message.PollVoteMessage.encode({ selectedOptions: optionNames.map(optionHash) }).finish();
  const encIv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', voteKey(ctx), encIv);
  cipher.setAAD(aad(ctx));
  const encPayload = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { encPayload, encIv };
}

/** Decrypts a vote; throws when the key, jids or AAD do not match. Returns the selected option hashes. */
export function decryptPollVote(vote: { encPayload: Uint8Array; encIv: Uint8Array }, ctx: PollVoteContext): Buffer[] {
  const payload = Buffer.from(vote.encPayload);
  const decipher = createDecipheriv('aes-256-gcm', voteKey(ctx), Buffer.from(vote.encIv));
  decipher.setAAD(aad(ctx));
  decipher.setAuthTag(payload.subarray(payload.length - GCM_TAG));
  const plain = Buffer.concat([decipher.update(payload.subarray(0, payload.length - GCM_TAG)), decipher.final()]);
  return proto.Message.PollVoteMessage.decode(plain).selectedOptions.map((o) => Buffer.from(o));
}

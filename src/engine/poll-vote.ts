import { decryptPollVote, isLidUser, jidNormalizedUser, type WASocket } from '@whiskeysockets/baileys';
import type { PollVoteInput, PollVoteResult } from './engine-types.js';

/** The jid without its device, plus its other form (phone ↔ LID) when Baileys knows the mapping. */
async function formsOf(sock: WASocket, jid: string): Promise<string[]> {
  const bare = jidNormalizedUser(jid);
  const forms = [bare];
  try {
    const mapping = sock.signalRepository.lidMapping;
    const other = isLidUser(bare) ? await mapping.getPNForLID(bare) : await mapping.getLIDForPN(bare);
    if (other) forms.push(jidNormalizedUser(other));
  } catch {
    // no mapping known: the form we have is all we can try
  }
  return [...new Set(forms.filter((f) => f !== ''))];
}

async function ownForms(sock: WASocket): Promise<string[]> {
  const forms = [sock.user?.id, sock.user?.lid].filter((j): j is string => typeof j === 'string').map((j) => jidNormalizedUser(j));
  return [...new Set(forms)];
}

/**
 * Decrypts one poll vote (Baileys rc14 leaves this to the host). The key is derived from the poll's messageSecret
 * and the creator's and voter's jids, which WhatsApp may have written in their phone or their LID form: every
 * combination is tried. Null when none opens the vote (a wrong secret, or jids we cannot map).
 */
export async function decryptVote(sock: WASocket, input: PollVoteInput): Promise<PollVoteResult | null> {
  const creators = input.creator === 'me' ? await ownForms(sock) : await formsOf(sock, input.creator);
  const voters =
    input.voter === 'me'
      ? await ownForms(sock)
      : [...new Set((await Promise.all(input.voter.map((j) => formsOf(sock, j)))).flat())];
  const vote = { encPayload: Buffer.from(input.encPayloadBase64, 'base64'), encIv: Buffer.from(input.encIvBase64, 'base64') };
  const pollEncKey = Buffer.from(input.messageSecretBase64, 'base64');
  for (const creatorJid of creators) {
    for (const voterJid of voters) {
      try {
        const decrypted = decryptPollVote(vote, { pollMsgId: input.pollMsgId, pollCreatorJid: creatorJid, voterJid, pollEncKey });
        return {
          selectedOptionHashes: (decrypted.selectedOptions ?? []).map((h) => Buffer.from(h).toString('hex')),
          creatorJid,
          voterJid,
        };
      } catch {
        // the GCM tag does not match under this pair of jids: try the next
      }
    }
  }
  return null;
}

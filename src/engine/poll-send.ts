import { generateWAMessage, getContentType, type AnyMessageContent, type MiscMessageGenerationOptions, type WASocket } from '@whiskeysockets/baileys';

/**
 * Sends a poll with mentions. Baileys rc14 puts a poll's mentions on the first key of the message, which for a poll
 * is `messageContextInfo` (holding its secret), where no client reads them; so the poll is generated here, the
 * mentions set on the poll creation message itself, and relayed as Baileys would (with the `polltype` meta node).
 */
export async function sendPollWithMentions(
  sock: WASocket,
  jid: string,
  poll: AnyMessageContent,
  mentions: string[],
  options: MiscMessageGenerationOptions & { messageId: string },
): Promise<{ messageId: string; jid: string }> {
  const full = await generateWAMessage(jid, poll, { ...options, userJid: sock.user?.id ?? '', upload: sock.waUploadToServer });
  const message = full.message;
  const type = message ? getContentType(message) : undefined;
  const inner = type && message ? (message[type] as { contextInfo?: { mentionedJid?: string[] | null } } | null) : null;
  if (inner) inner.contextInfo = { ...(inner.contextInfo ?? {}), mentionedJid: mentions };
  await sock.relayMessage(jid, message ?? {}, {
    messageId: options.messageId,
    additionalNodes: [{ tag: 'meta', attrs: { polltype: 'creation' } }],
  });
  return { messageId: full.key.id ?? options.messageId, jid: full.key.remoteJid ?? jid };
}

import type { AnyMessageContent, WASocket } from '@whiskeysockets/baileys';
import type { OutgoingContent, PollVoteInput, PollVoteResult, QuotedMessage, ReadKey, SendResult, WhatsAppLookup } from './engine-types.js';
import { forwardSourceOf, toBaileysContent, toSendOptions } from './outgoing-content.js';
import { decryptVote } from './poll-vote.js';
import { sendPollWithMentions } from './poll-send.js';

/** What an operation runs with: the instance's open socket (the runtime throws NotConnectedError before if none). */
export interface OperationContext {
  readonly instanceId: string;
  readonly sock: WASocket;
}

export interface SocketOperation<P, R> {
  run(ctx: OperationContext, payload: P): Promise<R>;
}

/** Declares one operation; its payload and result types are inferred from `run`. Payloads must be JSON (they cross the Redis command bus). */
function operation<P, R>(run: (ctx: OperationContext, payload: P) => Promise<R>): SocketOperation<P, R> {
  return { run };
}

/**
 * Every engine operation on an instance's open WhatsApp socket, by name: the ONE place to add one.
 *
 * To add an operation (groups, presence, profile, message kinds...):
 *   1. add an entry here: `'group-create': operation(async ({ sock }, p: { subject: string; participants: string[] }) => ...)`;
 *   2. call it from the services through EngineControl: `engine.run(instanceId, 'group-create', { subject, participants })`
 *      (optionally a one-line named wrapper in engine-control.ts).
 * Nothing else changes: the command union (engine-commands.ts), the local dispatch (command-routing.ts), the Redis command bus to
 * the owning node and the API-only RemoteEngine all derive from this table, and the result is typed end to end.
 * Engine errors (NotConnectedError, BusyError, CommandTimeoutError, NoEngineNodeError) map to HTTP in one place
 * (http/domain-errors.ts).
 */
export const socketOperations = {
  /**
   * Any message (text, media, sticker, location, contacts, poll, reaction, edit, revoke, forward), quoted and with
   * mentions (`mentionsEveryone`: every participant of the group); `messageId` fixed by the caller so a retry never
   * sends twice.
   */
  send: operation(
    async (
      { sock },
      p: {
        jid: string;
        content: OutgoingContent;
        messageId: string;
        quoted?: QuotedMessage;
        mentions?: string[];
        mentionsEveryone?: boolean;
      },
    ): Promise<SendResult> => {
      let mentions = p.mentions;
      if (p.mentionsEveryone && p.jid.endsWith('@g.us')) {
        const metadata = await sock.groupMetadata(p.jid);
        mentions = [...new Set([...(mentions ?? []), ...metadata.participants.map((m) => m.id)])];
      }
      const options = toSendOptions({ messageId: p.messageId, quoted: p.quoted, mentions });
      if (p.content.type === 'poll' && mentions?.length) {
        return sendPollWithMentions(sock, p.jid, toBaileysContent(p.content, undefined), mentions, { ...options, messageId: p.messageId });
      }
      const content: AnyMessageContent =
        p.content.type === 'forward'
          ? { forward: await forwardSourceOf(p.content.message, p.jid, sock.waUploadToServer), force: true }
          : toBaileysContent(p.content, mentions);
      const sent = await sock.sendMessage(p.jid, content, options);
      return { messageId: sent?.key.id ?? p.messageId, jid: sent?.key.remoteJid ?? p.jid };
    },
  ),

  /** Decrypts a poll vote with the poll's secret (the instance's own jids and Baileys' LID mapping are here). */
  'decrypt-poll-vote': operation(async ({ sock }, p: PollVoteInput): Promise<PollVoteResult | null> => decryptVote(sock, p)),

  /** Read receipts for inbound messages. */
  'read-messages': operation(async ({ sock }, p: { keys: ReadKey[] }): Promise<void> => {
    if (p.keys.length === 0) return;
    await sock.readMessages(
      p.keys.map((k) => ({ id: k.id, remoteJid: k.remoteJid, fromMe: false, ...(k.participant ? { participant: k.participant } : {}) })),
    );
  }),

  /** WhatsApp's own lookup of a phone number (any writing; digits are kept). */
  'on-whatsapp': operation(async ({ sock }, p: { phone: string }): Promise<WhatsAppLookup> => {
    const digits = p.phone.replace(/\D/g, '');
    if (digits === '') return { exists: false, jid: null };
    const results = (await sock.onWhatsApp(digits)) ?? [];
    const hit = results.find((r) => r.exists);
    return hit ? { exists: true, jid: hit.jid } : { exists: false, jid: null };
  }),
};

export type SocketOperations = typeof socketOperations;
export type SocketOperationName = keyof SocketOperations;
export type OperationPayload<N extends SocketOperationName> = Parameters<SocketOperations[N]['run']>[1];
export type OperationResult<N extends SocketOperationName> = Awaited<ReturnType<SocketOperations[N]['run']>>;

/** The command that carries an operation to the owning node: `{ type: name, ...payload }`. */
export type SocketCommand = { [N in SocketOperationName]: { type: N } & OperationPayload<N> }[SocketOperationName];

export function isSocketOperation(type: string): type is SocketOperationName {
  return Object.hasOwn(socketOperations, type);
}

/** Runs operation `name` on an open socket (the runtime's `run`). */
export function runSocketOperation<N extends SocketOperationName>(
  ctx: OperationContext,
  name: N,
  payload: OperationPayload<N>,
): Promise<OperationResult<N>> {
  const op = socketOperations[name] as unknown as SocketOperation<OperationPayload<N>, OperationResult<N>>;
  return op.run(ctx, payload);
}

/** Splits a socket command into its operation name and payload. */
export function operationOf(command: SocketCommand): { name: SocketOperationName; payload: OperationPayload<SocketOperationName> } {
  const { type, ...payload } = command;
  return { name: type, payload: payload as OperationPayload<SocketOperationName> };
}

import { jidNormalizedUser, type AnyMessageContent, type WASocket } from '@whiskeysockets/baileys';
import type { OutgoingContent, PollVoteInput, PollVoteResult, QuotedMessage, ReadKey, SendResult, WhatsAppLookup } from './engine-types.js';
import { groupOperations } from './group-operations.js';
import { forwardSourceOf, toBaileysContent, toSendOptions } from './outgoing-content.js';
import { NotOnWhatsAppError, PushNameRequiredError } from './engine-errors.js';
import { decryptVote } from './poll-vote.js';
import { sendPollWithMentions } from './poll-send.js';
import { iqErrorCode, mapBusinessProfile, orNullWhenHidden } from './profile-mapping.js';
import type { ContactProfile, OwnProfileChange, PresenceState } from './profile-types.js';

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

  /** Groups: create, list, metadata, update, participants, invite links, join, leave, picture (group-operations.ts). */
  ...groupOperations,

  /** Typing or recording in a chat (`jid`), or the number's own available/unavailable (which needs a push name). */
  presence: operation(async ({ instanceId, sock }, p: { jid: string; state: PresenceState }): Promise<void> => {
    const own = p.state === 'available' || p.state === 'unavailable';
    if (own && !sock.authState.creds.me?.name) throw new PushNameRequiredError(instanceId);
    await sock.sendPresenceUpdate(p.state, own ? undefined : p.jid);
  }),

  /** Asks for the contact's presence: its current state, then its changes, arrive as `presence.update`. */
  'presence-subscribe': operation(async ({ sock }, p: { jid: string }): Promise<void> => {
    await sock.presenceSubscribe(p.jid);
  }),

  /** A number's picture URL, about text and business profile (each null when absent or hidden). */
  'profile-get': operation(async ({ sock }, p: { phone: string }): Promise<ContactProfile> => {
    const jid = await existingJid(sock, p.phone);
    const [pictureUrl, statuses, business] = await Promise.all([
      orNullWhenHidden(() => sock.profilePictureUrl(jid, 'image')),
      orNullWhenHidden(() => sock.fetchStatus(jid)),
      orNullWhenHidden(() => sock.getBusinessProfile(jid)),
    ]);
    const status = statuses?.find((s) => s.id === jid)?.status as { status?: string | null; setAt?: Date } | null | undefined;
    return {
      jid,
      pictureUrl: pictureUrl ?? null,
      about: typeof status?.status === 'string' ? { text: status.status, setAt: status.setAt?.getTime() || null } : null,
      business: business ? mapBusinessProfile(business) : null,
    };
  }),

  /** The number's own push name, about text and picture. */
  'profile-update': operation(async ({ sock }, p: OwnProfileChange): Promise<void> => {
    const me = sock.user?.id ? jidNormalizedUser(sock.user.id) : null;
    if (p.name !== undefined) {
      await sock.updateProfileName(p.name);
      // Baileys sets creds.me.name only when it applies its own patch, which emitOwnEvents: false skips; presence
      // (available/unavailable) needs it. creds.update merges it into the creds and the runtime saves them.
      const me = sock.authState.creds.me;
      if (me) sock.ev.emit('creds.update', { me: { ...me, name: p.name } });
    }
    if (p.about !== undefined) await sock.updateProfileStatus(p.about);
    if (p.picture !== undefined && me) {
      if (p.picture === null) await sock.removeProfilePicture(me);
      else await sock.updateProfilePicture(me, Buffer.from(p.picture.dataBase64, 'base64'));
    }
  }),

  /** Blocks or unblocks a number (Baileys addresses it by LID; WhatsApp refuses its 1:1 messages while blocked). */
  'block-update': operation(async ({ sock }, p: { phone: string; action: 'block' | 'unblock' }): Promise<string[]> => {
    const jid = await existingJid(sock, p.phone);
    await sock.updateBlockStatus(jid, p.action);
    return blocklistOf(sock);
  }),

  /** The numbers this one blocked, as phone JIDs. */
  blocklist: operation(async ({ sock }, _p: Record<string, never>): Promise<string[]> => blocklistOf(sock)),
};

/** The phone's user JID when it is on WhatsApp; NotOnWhatsAppError otherwise. */
async function existingJid(sock: WASocket, phone: string): Promise<string> {
  const digits = phone.replace(/\D/g, '');
  const hit = digits === '' ? undefined : ((await sock.onWhatsApp(digits)) ?? []).find((r) => r.exists);
  if (!hit) throw new NotOnWhatsAppError(phone);
  return jidNormalizedUser(hit.jid);
}

async function blocklistOf(sock: WASocket): Promise<string[]> {
  try {
    return (await sock.fetchBlocklist()).filter((j): j is string => typeof j === 'string').map(jidNormalizedUser);
  } catch (err) {
    if (iqErrorCode(err) === 404) return [];
    throw err;
  }
}

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

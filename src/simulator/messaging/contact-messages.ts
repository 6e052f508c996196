import { randomBytes } from 'node:crypto';
import { proto } from '@whiskeysockets/baileys';
import { SimulatorError } from '../errors.js';
import { lidJid, lidUserFor, pnJid, type Contact } from '../state/accounts.js';
import type { MediaHooks } from '../state/simulator-state.js';
import type { MessageKindBody } from './kind-schemas.js';
import type { MessageBook } from './message-book.js';
import { encryptPollVote } from './poll-crypto.js';
import { buildVCard } from './vcard.js';

export type Addressing = 'pn' | 'lid';

/** Where a contact's message goes: a 1:1 chat with a linked number, or a group. */
export type ContactChat = { kind: 'direct'; peer: string } | { kind: 'group'; jid: string };

export interface ContactMessageContext {
  sender: Contact;
  chat: ContactChat;
  /** The sender's addressing in this chat: which jid form keys, quotes and vote keys use. */
  addressing: Addressing;
  book: MessageBook;
  media?: MediaHooks;
}

export interface BuiltContactMessage {
  content: proto.IMessage;
  /** The stanza's `edit` attribute: 1 for an edit, 7 for a revoke by its sender. */
  edit?: '1' | '7';
}

/** A phone's user jid in the given form (no device). */
export const userJid = (phone: string, form: Addressing): string => (form === 'lid' ? lidJid(lidUserFor(phone)) : pnJid(phone));

/** Builds what a contact sends (one kind, plus reply, mentions and the forwarded flag) as WhatsApp encodes it. */
export async function buildContactMessage(body: MessageKindBody, ctx: ContactMessageContext): Promise<BuiltContactMessage> {
  if (body.reaction) {
    const { id, emoji, fromMe, participant } = body.reaction;
    return { content: { reactionMessage: { key: targetKey(id, ctx, { fromMe, participant }), text: emoji, senderTimestampMs: Date.now() } } };
  }
  if (body.edit) {
    const key = ownTargetKey(body.edit.id, ctx);
    return {
      content: {
        protocolMessage: { key, type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT, editedMessage: { conversation: body.edit.text }, timestampMs: Date.now() },
      },
      edit: '1',
    };
  }
  if (body.revoke) {
    return { content: { protocolMessage: { key: ownTargetKey(body.revoke.id, ctx), type: proto.Message.ProtocolMessage.Type.REVOKE } }, edit: '7' };
  }
  if (body.vote) return { content: buildVote(body.vote, ctx) };

  let content: proto.IMessage;
  if (body.text !== undefined) {
    const context = contextInfo(body, ctx);
    content = context ? { extendedTextMessage: { text: body.text, contextInfo: context } } : { conversation: body.text };
    return { content };
  }
  if (body.media) {
    if (!ctx.media) throw new SimulatorError('media_unavailable', 501, 'this simulator runs without media');
    content = await ctx.media.buildMessage(body.media);
  } else if (body.location) {
    const { latitude, longitude, name, address } = body.location;
    content = { locationMessage: { degreesLatitude: latitude, degreesLongitude: longitude, ...(name ? { name } : {}), ...(address ? { address } : {}) } };
  } else if (body.contacts) {
    const cards = body.contacts.map((c) => ({ displayName: c.name, vcard: buildVCard(c) }));
    content = cards.length === 1 ? { contactMessage: cards[0] } : { contactsArrayMessage: { displayName: `${cards.length} contacts`, contacts: cards } };
  } else if (body.poll) {
    const options = body.poll.options.map((optionName) => ({ optionName }));
    const multiple = !!body.poll.multipleAnswers;
    const creation = { name: body.poll.question, options, selectableOptionsCount: multiple ? 0 : 1 };
    content = {
      ...(multiple ? { pollCreationMessage: creation } : { pollCreationMessageV3: creation }),
      messageContextInfo: { messageSecret: randomBytes(32) },
    };
  } else {
    throw new SimulatorError('validation_failed', 400, 'no message kind given');
  }
  const context = contextInfo(body, ctx);
  if (context) {
    const inner = Object.entries(content).find(([k, v]) => k !== 'messageContextInfo' && v && typeof v === 'object')?.[1] as { contextInfo?: proto.IContextInfo } | undefined;
    if (inner) inner.contextInfo = { ...inner.contextInfo, ...context };
  }
  return { content };
}

/** The stanza `type` WhatsApp gives each kind. */
export function stanzaTypeOf(m: proto.IMessage): 'text' | 'media' | 'reaction' | 'poll' {
  if (m.reactionMessage) return 'reaction';
  if (m.pollCreationMessage || m.pollCreationMessageV2 || m.pollCreationMessageV3 || m.pollUpdateMessage) return 'poll';
  if (m.imageMessage || m.videoMessage || m.audioMessage || m.documentMessage || m.stickerMessage || m.locationMessage || m.contactMessage || m.contactsArrayMessage) {
    return 'media';
  }
  return 'text';
}

const chatJid = (ctx: ContactMessageContext): string => (ctx.chat.kind === 'group' ? ctx.chat.jid : userJid(ctx.chat.peer, ctx.addressing));

/** The key of a message in this chat, from the sender's point of view (fromMe = the sender wrote it). */
function targetKey(id: string, ctx: ContactMessageContext, override: { fromMe?: boolean; participant?: string } = {}): proto.IMessageKey {
  const entry = ctx.book.get(id);
  const author = override.participant ?? entry?.sender ?? (ctx.chat.kind === 'direct' && override.fromMe !== true ? ctx.chat.peer : undefined);
  const fromMe = override.fromMe ?? author === ctx.sender.phone;
  const key: proto.IMessageKey = { remoteJid: chatJid(ctx), fromMe, id };
  if (ctx.chat.kind === 'group' && author) key.participant = userJid(author, ctx.addressing);
  return key;
}

/** Edits and revokes by their sender: the target must be a message this contact sent. */
function ownTargetKey(id: string, ctx: ContactMessageContext): proto.IMessageKey {
  const entry = ctx.book.get(id);
  if (!entry) throw new SimulatorError('message_not_found', 404, `no message ${id} sent through the simulator`);
  if (entry.sender !== ctx.sender.phone) throw new SimulatorError('not_own_message', 403, `${id} was not sent by ${ctx.sender.phone}`);
  return { remoteJid: chatJid(ctx), fromMe: true, id, ...(ctx.chat.kind === 'group' ? { participant: userJid(ctx.sender.phone, ctx.addressing) } : {}) };
}

function buildVote(vote: NonNullable<MessageKindBody['vote']>, ctx: ContactMessageContext): proto.IMessage {
  const poll = ctx.book.poll(vote.pollId);
  if (!poll) throw new SimulatorError('poll_not_found', 404, `no poll ${vote.pollId} known to the simulator`);
  const unknown = vote.options.filter((o) => !poll.options.includes(o));
  if (unknown.length) throw new SimulatorError('unknown_option', 400, `not options of poll ${vote.pollId}: ${unknown.join(', ')}`, { options: poll.options });
  if (poll.selectableCount > 0 && vote.options.length > poll.selectableCount) {
    throw new SimulatorError('too_many_options', 400, `poll ${vote.pollId} allows ${poll.selectableCount} option(s)`);
  }
  const forms = vote.jids ?? { creator: ctx.addressing, voter: ctx.addressing };
  const encrypted = encryptPollVote(vote.options, {
    pollMsgId: vote.pollId,
    pollCreatorJid: userJid(poll.creator, forms.creator),
    voterJid: userJid(ctx.sender.phone, forms.voter),
    pollEncKey: poll.secret,
  });
  return { pollUpdateMessage: { pollCreationMessageKey: targetKey(vote.pollId, ctx), vote: encrypted, senderTimestampMs: Date.now() } };
}

/** Reply, mentions and forwarded flag as one contextInfo (undefined when none is asked for). */
function contextInfo(body: MessageKindBody, ctx: ContactMessageContext): proto.IContextInfo | undefined {
  const info: proto.IContextInfo = {};
  if (body.quotedId) {
    const entry = ctx.book.get(body.quotedId);
    const author = body.quotedParticipant ?? entry?.sender ?? (ctx.chat.kind === 'direct' ? ctx.chat.peer : ctx.sender.phone);
    info.stanzaId = body.quotedId;
    info.participant = userJid(author, ctx.addressing);
    if (entry) info.quotedMessage = quotable(entry.message);
  }
  if (body.mentions?.length) info.mentionedJid = body.mentions.map((p) => userJid(p, ctx.addressing));
  if (body.forwarded) Object.assign(info, { isForwarded: true, forwardingScore: 1 });
  return Object.keys(info).length ? info : undefined;
}

/** What a reply carries of the quoted message: its content without the sender's secrets and context. */
function quotable(message: proto.IMessage): proto.IMessage {
  const { messageContextInfo: _secret, ...rest } = message;
  return rest;
}

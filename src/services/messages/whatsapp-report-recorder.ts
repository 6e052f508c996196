import type { Logger } from 'pino';
import type {
  EngineEvent,
  EngineEventMap,
  InboundSettlement,
  StatusChange,
  WaChat,
  WaContact,
  WaMessage,
  WaMessageStatus,
} from '../../engine/engine-types.js';
import type { MessageStatus } from '../../persistence/entities/message.entity.js';
import type { ChatInput, ChatRepository } from '../../persistence/repositories/chat-repository.js';
import type { ContactInput, ContactRepository } from '../../persistence/repositories/contact-repository.js';
import { newMessageId, type NewStoredMessage } from '../../persistence/repositories/message-inputs.js';
import type { MessageRepository } from '../../persistence/repositories/message-repository.js';
import type { WebhookEventRepository } from '../../persistence/repositories/webhook-event-repository.js';
import type { TransactionRunner } from '../../persistence/transaction-runner.js';
import type { EventNotifier } from '../webhooks/event-notifier.js';
import { groupParticipantsEventData } from '../groups/group-events.js';
import { kindContentOf, messageTypeOf, protocolActionOf, upsertEventData } from './inbound-content.js';
import { isLidJid, type Identity, type LidDirectory } from './lid-directory.js';
import { MessagePartiesResolver, type MessageParties } from './message-parties.js';
import { ContactChangeFilter } from './contact-change-filter.js';
import { messageUpdateBase } from './message-update-event.js';
import type { InboundMediaStore } from './inbound-media-store.js';
import type { MessageStatusRecorder } from './message-status-recorder.js';
import { pollUpdateOf } from './kinds/poll-vote-recorder.js';

export interface WhatsAppReportRecorderDeps {
  messages: MessageRepository;
  contacts: ContactRepository;
  chats: ChatRepository;
  events: WebhookEventRepository;
  transactions: TransactionRunner;
  notifier: EventNotifier;
  statuses: MessageStatusRecorder;
  media: InboundMediaStore;
  /** LID ↔ phone pairs: learnt from every event that carries one; chats and senders filed under the phone JID. */
  lids: LidDirectory;
  /** Tells whether a message's JSON carries media (the engine's mediaInfoOf). */
  mediaInfoOf: (message: WaMessage['message']) => { mediaType: string; mimetype: string | null; fileName: string | null; fileLength: number | null; ptt: boolean } | null;
  logger: Logger;
  /** Poll votes (decrypted and tallied on the poll's row; kinds/poll-vote-recorder.ts). */
  polls?: { onVote(instanceId: string, msg: WaMessage): Promise<void> };
  /** Status hooks of the send side (start the worker, fail pending jobs). */
  onStatus?: (instanceId: string, change: StatusChange) => Promise<void> | void;
  /**
   * The engine's inbound journal: each message of a `messages.upsert` is settled once handled (stored, already
   * stored, or nothing to store), so the copy kept since WhatsApp's receipt goes. One that failed stays there and is
   * replayed at the next socket start.
   */
  journal?: InboundSettlement;
}

const STATUS_OF: Partial<Record<WaMessageStatus, MessageStatus>> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  played: 'played',
};

const seconds = (s: number | null) => new Date((s ?? Math.floor(Date.now() / 1000)) * 1000);

function phoneOf(value: string | null | undefined): string | null {
  const match = value ? /^\+?(\d{6,15})(?::\d+)?(@s\.whatsapp\.net)?$/.exec(value) : null;
  return match ? `+${match[1]}` : null;
}

function contactInput(c: Partial<WaContact> & { id: string }, who?: Identity): ContactInput {
  const input: ContactInput = { jid: who?.jid ?? c.id };
  if (who?.lid) input.lid = who.lid;
  else if (c.id.endsWith('@lid')) input.lid = c.id;
  else if (c.lid !== undefined) input.lid = c.lid;
  const phone = who?.phone ?? phoneOf(c.phoneNumber) ?? phoneOf(c.id);
  if (phone) input.phone = phone;
  if (c.name !== undefined) input.name = c.name;
  if (c.notify !== undefined) input.notify = c.notify;
  if (c.verifiedName !== undefined) input.verifiedName = c.verifiedName;
  if (c.imgUrl !== undefined) input.imgUrl = c.imgUrl === 'changed' ? null : c.imgUrl;
  return input;
}

function chatInput(c: Partial<WaChat> & { id: string }): ChatInput {
  const input: ChatInput = { jid: c.id };
  if (c.name !== undefined && c.name !== null) input.name = c.name;
  if (c.unreadCount !== undefined && c.unreadCount !== null) input.unreadCount = Math.max(0, c.unreadCount);
  if (c.conversationTimestamp) input.lastMessageAt = seconds(c.conversationTimestamp);
  if (c.archived !== undefined && c.archived !== null) input.archived = c.archived;
  if (c.pinned !== undefined) input.pinned = (c.pinned ?? 0) > 0;
  if (c.muteEndTime !== undefined) input.mutedUntil = c.muteEndTime && c.muteEndTime > 0 ? new Date(c.muteEndTime * 1000) : null;
  if (c.readOnly !== undefined && c.readOnly !== null) input.readOnly = c.readOnly;
  return input;
}

/**
 * Stores what WhatsApp reports for an instance, once, before anything else happens to it: messages (with their
 * `messages.upsert` event in the same transaction), receipts and status updates, revokes, edits, reactions,
 * history sync, contacts, chats; then presence and group events. Inbound media is downloaded after its row is
 * stored. Registered on the composite EngineEventSink; calls arrive in order per instance.
 */
export class WhatsAppReportRecorder {
  private readonly contactChanges = new ContactChangeFilter();
  private readonly parties: MessagePartiesResolver;

  constructor(private readonly deps: WhatsAppReportRecorderDeps) {
    this.parties = new MessagePartiesResolver(deps.lids);
  }

  async onStatus(instanceId: string, change: StatusChange): Promise<void> {
    await this.deps.onStatus?.(instanceId, change);
  }

  async onEvent(instanceId: string, event: EngineEvent): Promise<void> {
    switch (event.name) {
      case 'messages.upsert':
        for (const msg of event.data.messages) {
          await this.onMessage(instanceId, msg, event.data.type);
          if (msg.key.id) this.deps.journal?.settled(instanceId, msg.key.id);
        }
        return;
      case 'messages.update':
        return this.onMessageUpdates(instanceId, event.data);
      case 'messages.delete':
        if ('keys' in event.data) {
          for (const key of event.data.keys) await this.revoke(instanceId, key.id, key);
        }
        return;
      case 'messaging-history.set':
        return this.onHistory(instanceId, event.data);
      case 'contacts.upsert':
      case 'contacts.update': {
        // Facts already stored (the push name Baileys repeats with every message) are neither written nor sent again.
        const known = await this.parties.identifyContacts(instanceId, event.data, 'contact');
        const { items, commit } = this.contactChanges.changed(
          instanceId,
          event.data.map((c, i) => ({
            input: contactInput(c, known[i]),
            data: { ...c, senderPhone: known[i]?.phone ?? null, senderLid: known[i]?.lid ?? null },
          })),
        );
        if (items.length === 0) return;
        await this.deps.contacts.upsertMany(instanceId, items.map((i) => i.input));
        if (event.name === 'contacts.update') await this.appendAll(instanceId, items.map((i) => ({ event: 'contacts.update', data: i.data })));
        commit();
        return;
      }
      case 'chats.upsert':
        await this.deps.chats.upsertMany(instanceId, await this.parties.filedChats(instanceId, event.data.map(chatInput)));
        return;
      case 'chats.update': {
        // A positive unreadCount in an update is an increment for a message we count ourselves; 0 means read elsewhere.
        // What is left of the update Baileys makes for each message (its time) the message's own statement stored.
        const inputs = event.data
          .map((c) => {
            const input = chatInput(c);
            if (c.unreadCount !== 0) delete input.unreadCount;
            return input;
          })
          .filter((input) => Object.keys(input).some((k) => k !== 'jid' && k !== 'lastMessageAt'));
        if (inputs.length > 0) await this.deps.chats.upsertMany(instanceId, await this.parties.filedChats(instanceId, inputs));
        return;
      }
      case 'groups.upsert':
      case 'groups.update': {
        const named = event.data.filter((g) => typeof g.subject === 'string');
        await this.deps.chats.upsertMany(
          instanceId,
          named.map((g) => ({ jid: g.id, name: g.subject as string, isGroup: true })),
        );
        await this.appendAll(instanceId, event.data.map((g) => ({ event: event.name, data: g })));
        return;
      }
      case 'group-participants.update':
        // Chats stay consistent by themselves: Baileys follows with chats.update {readOnly} when the number is removed or added.
        await this.appendAll(instanceId, [{ event: 'group-participants.update', data: groupParticipantsEventData(event.data) }]);
        return;
      case 'presence.update':
        await this.appendAll(instanceId, [{ event: 'presence.update', data: event.data }]);
        return;
      case 'lid-mapping.update':
        await this.deps.lids.learn(instanceId, event.data.mappings, event.data.source === 'event' ? 'lid-mapping.update' : 'signal-store');
        return;
    }
  }

  private async appendAll(instanceId: string, events: Array<{ event: string; data: unknown }>): Promise<void> {
    if (events.length === 0) return;
    const appended =
      events.length === 1
        ? [await this.deps.events.append({ instanceId, ...events[0]! })]
        : await this.deps.transactions.run(async (tx) => {
            const all = [];
            for (const e of events) all.push(await this.deps.events.append({ instanceId, ...e }, tx));
            return all;
          });
    const deliveries = appended.reduce((n, a) => n + a.deliveries.length, 0);
    this.deps.notifier.notifyAppended(instanceId, appended.at(-1)!.event.sequence, deliveries);
  }

  private toStored(instanceId: string, msg: WaMessage, parties: MessageParties): NewStoredMessage {
    const type = messageTypeOf(msg.messageType);
    const media = this.deps.mediaInfoOf(msg.message);
    const status = msg.key.fromMe ? (msg.status ? STATUS_OF[msg.status] : undefined) : undefined;
    return {
      instanceId,
      waMessageId: msg.key.id,
      chatJid: parties.chatJid,
      fromMe: msg.key.fromMe,
      senderJid: parties.sender?.jid ?? null,
      senderPhone: parties.sender?.phone ?? null,
      senderLid: parties.sender?.lid ?? null,
      content: kindContentOf(msg.message),
      pushName: msg.pushName,
      type,
      text: media ? null : msg.text,
      caption: media ? msg.text : null,
      messageTimestamp: seconds(msg.messageTimestamp),
      raw: msg.message,
      ...(status ? { status } : {}),
      ...(media
        ? {
            mediaMimetype: media.mimetype,
            mediaFileName: media.fileName,
            mediaSize: media.fileLength,
            mediaStatus: 'pending' as const,
            ptt: media.ptt,
          }
        : {}),
    };
  }

  private async onMessage(instanceId: string, msg: WaMessage, _type: 'notify' | 'append'): Promise<void> {
    if (!msg.key.id || !msg.key.remoteJid || msg.key.remoteJid === 'status@broadcast') return;
    if (this.deps.polls && pollUpdateOf(msg)) return this.deps.polls.onVote(instanceId, msg);
    const parties = await this.parties.of(instanceId, msg);
    const action = protocolActionOf(msg);
    if (action) return this.onAction(instanceId, msg, action, parties);
    if (!msg.message) return; // stubs (e.g. a message that could not be decrypted yet)
    const status = msg.status ? STATUS_OF[msg.status] : undefined;
    // The message, its chat and its messages.upsert event in one statement; a message already stored (a
    // redelivery, or our own send reported back) appends nothing and at most moves our status forward.
    const id = newMessageId();
    const row = { ...this.toStored(instanceId, msg, parties), id };
    const stored = await this.deps.messages.storeWithEvent(row, {
      event: 'messages.upsert',
      data: upsertEventData(msg, id, { chatJid: row.chatJid, sender: parties.sender, content: row.content ?? null }),
    });
    if (!stored.inserted) {
      if (msg.key.fromMe && status) await this.deps.statuses.move(instanceId, { waMessageId: msg.key.id }, status);
      return;
    }
    if (stored.event) this.deps.notifier.notifyAppended(instanceId, stored.event.event.sequence, stored.event.deliveries.length);
    if (stored.message.mediaStatus === 'pending' && !stored.message.fromMe) this.deps.media.schedule(instanceId, stored.message.id);
  }

  private async onAction(
    instanceId: string,
    msg: WaMessage,
    action: NonNullable<ReturnType<typeof protocolActionOf>>,
    parties: MessageParties,
  ): Promise<void> {
    const at = seconds(msg.messageTimestamp);
    const senderIds = { senderPhone: parties.sender?.phone ?? null, senderLid: parties.sender?.lid ?? null };
    switch (action.kind) {
      case 'revoke':
        return this.revoke(instanceId, action.targetId, msg.key, at, parties);
      case 'edit': {
        const result = await this.deps.transactions.run(async (tx) => {
          const edit: { text?: string | null; caption?: string | null; at: Date } = { at };
          if (action.text !== null) edit.text = action.text;
          if (action.caption !== null) edit.caption = action.caption;
          const updated = await this.deps.messages.applyEdit(instanceId, { waMessageId: action.targetId }, edit, tx);
          if (!updated) return null;
          return this.deps.events.append(
            {
              instanceId,
              event: 'messages.update',
              data: {
                ...messageUpdateBase(updated),
                edited: true,
                edit: { text: updated.text, caption: updated.caption, editedAt: at.toISOString() },
                ...senderIds,
              },
            },
            tx,
          );
        });
        if (result) this.deps.notifier.notifyAppended(instanceId, result.event.sequence, result.deliveries.length);
        return;
      }
      case 'reaction': {
        const senderJid = msg.key.fromMe ? 'me' : (parties.sender?.jid ?? msg.key.participant ?? msg.key.remoteJid);
        const result = await this.deps.transactions.run(async (tx) => {
          const updated = await this.deps.messages.applyReaction(
            instanceId,
            { waMessageId: action.targetId },
            { senderJid, emoji: action.emoji, at: action.at !== null ? new Date(action.at) : at },
            tx,
          );
          if (!updated) return null;
          return this.deps.events.append(
            {
              instanceId,
              event: 'messages.upsert',
              data: {
                ...upsertEventData(msg, null, { chatJid: parties.chatJid, sender: parties.sender, content: null }),
                reaction: { targetMessageId: updated.id, targetId: updated.waMessageId, emoji: action.emoji, removed: action.emoji === '' },
              },
            },
            tx,
          );
        });
        if (result) this.deps.notifier.notifyAppended(instanceId, result.event.sequence, result.deliveries.length);
        return;
      }
    }
  }

  private async revoke(
    instanceId: string,
    targetId: string,
    key: WaMessage['key'],
    at: Date = new Date(),
    parties?: MessageParties,
  ): Promise<void> {
    const result = await this.deps.transactions.run(async (tx) => {
      const revoked = await this.deps.messages.markRevoked(instanceId, { waMessageId: targetId }, at, tx);
      if (!revoked) return null;
      return this.deps.events.append(
        {
          instanceId,
          event: 'messages.delete',
          data: {
            key: { remoteJid: revoked.chatJid, fromMe: revoked.fromMe, id: revoked.waMessageId },
            messageId: revoked.id,
            deleted: true,
            by: parties?.sender?.jid ?? key.participant ?? key.remoteJid,
            senderPhone: parties?.sender?.phone ?? revoked.senderPhone,
            senderLid: parties?.sender?.lid ?? revoked.senderLid,
          },
        },
        tx,
      );
    });
    if (result) this.deps.notifier.notifyAppended(instanceId, result.event.sequence, result.deliveries.length);
  }

  private async onMessageUpdates(instanceId: string, updates: EngineEventMap['messages.update']): Promise<void> {
    for (const update of updates) {
      const status = update.status ? STATUS_OF[update.status] : undefined;
      if (status && update.key.id) await this.deps.statuses.move(instanceId, { waMessageId: update.key.id }, status);
    }
  }

  private async onHistory(instanceId: string, data: EngineEventMap['messaging-history.set']): Promise<void> {
    // Pairs first (history contacts carry their LID), so chats and messages below are filed under phone JIDs.
    const known = await this.parties.identifyContacts(instanceId, data.contacts, 'history');
    const chatJids = new Map<string, string>();
    for (const c of data.chats) chatJids.set(c.id, isLidJid(c.id) ? await this.deps.lids.canonical(instanceId, c.id) : c.id);
    const kept = data.messages.filter((m) => m.key.id && m.key.remoteJid && m.message && !protocolActionOf(m));
    const parties: MessageParties[] = [];
    for (const m of kept) parties.push(await this.parties.of(instanceId, m));
    await this.deps.transactions.run(async (tx) => {
      await this.deps.contacts.upsertMany(instanceId, data.contacts.map((c, i) => contactInput(c, known[i])), tx);
      const chats = new Map<string, ChatInput>(
        data.chats.map((c) => {
          const jid = chatJids.get(c.id) ?? c.id;
          return [jid, { ...chatInput(c), jid }];
        }),
      );
      const messages = kept
        .map((m, i) => {
          const stored = this.toStored(instanceId, m, parties[i]!);
          // History media is not downloaded (it may be old and large); only its description is kept.
          if (stored.mediaStatus) stored.mediaStatus = null;
          const chat = chats.get(stored.chatJid) ?? { jid: stored.chatJid };
          if (!chat.lastMessageAt || chat.lastMessageAt < stored.messageTimestamp) chat.lastMessageAt = stored.messageTimestamp;
          chats.set(stored.chatJid, chat);
          return stored;
        });
      await this.deps.chats.upsertMany(instanceId, [...chats.values()], tx);
      await this.deps.messages.insertManyIfAbsent(messages, tx);
    });
    this.deps.logger.info(
      { instanceId, contacts: data.contacts.length, chats: data.chats.length, messages: data.messages.length },
      'history sync stored',
    );
  }
}

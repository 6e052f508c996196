import {
  getContentType,
  normalizeMessageContent,
  proto,
  toNumber,
  type BaileysEventMap,
  type Chat,
  type ChatUpdate,
  type Contact,
  type GroupMetadata,
  type WAMessage,
  type WAMessageKey,
  type WAMessageUpdate,
} from '@whiskeysockets/baileys';
import type {
  EngineEvent,
  EngineEventMap,
  EngineEventName,
  JsonObject,
  LidPair,
  WaChat,
  WaContact,
  WaGroup,
  WaMessage,
  WaMessageKey,
  WaMessageStatus,
  WaMessageUpdate,
} from './engine-types.js';
import { toGroupParticipant } from './group-operations.js';

/**
 * Turns Baileys' event payloads into the engine's plain types (engine-types.ts), so nothing
 * outside src/engine depends on Baileys' shapes. Pure functions.
 */
export function mapEngineEvent<K extends EngineEventName>(name: K, data: BaileysEventMap[K], at: number): EngineEvent {
  return { name, data: MAPPERS[name](data as never), at } as EngineEvent;
}

type Mappers = { [K in EngineEventName]: (data: BaileysEventMap[K]) => EngineEventMap[K] };

const MAPPERS: Mappers = {
  'messages.upsert': (d) => ({ type: d.type === 'notify' ? 'notify' : 'append', messages: d.messages.map(mapMessage) }),
  'messages.update': (d) => d.map(mapMessageUpdate),
  'messages.delete': (d) => ('keys' in d ? { keys: d.keys.map(mapKey) } : { jid: d.jid, all: true }),
  'messaging-history.set': (d) => ({
    chats: d.chats.map(mapChat),
    contacts: d.contacts.map(mapContact),
    messages: d.messages.map(mapMessage),
    isLatest: d.isLatest ?? null,
    progress: d.progress ?? null,
    syncType: d.syncType ?? null,
  }),
  'contacts.upsert': (d) => d.map(mapContact),
  'contacts.update': (d) => d.filter((c) => typeof c.id === 'string').map((c) => pickDefined(mapContact(c as Contact), c)),
  'chats.upsert': (d) => d.map(mapChat),
  'chats.update': (d) => d.filter((c) => typeof c.id === 'string').map((c) => pickDefined(mapChat(c as Chat), c)),
  'groups.upsert': (d) => d.map(mapGroup),
  'groups.update': (d) =>
    d.filter((g) => typeof g.id === 'string').map((g) => pickDefined(mapGroup(g as GroupMetadata), g)),
  'group-participants.update': (d) => ({
    id: d.id,
    author: d.author || null,
    authorPn: d.authorPn || null,
    action: d.action,
    participants: d.participants.map(toGroupParticipant),
  }),
  'presence.update': (d) => ({
    id: d.id,
    presences: Object.fromEntries(
      Object.entries(d.presences).map(([jid, p]) => [jid, { lastKnownPresence: p.lastKnownPresence, lastSeen: p.lastSeen ?? null }]),
    ),
  }),
  'lid-mapping.update': (d) => {
    const pair = lidPairOf(d.lid, d.pn);
    return { mappings: pair ? [pair] : [], source: 'event' };
  },
};

/** `user:device@server` → `user@server`. */
function bareJid(jid: string): string {
  const at = jid.indexOf('@');
  if (at < 0) return jid;
  const user = jid.slice(0, at).split(':')[0]!.split('_')[0]!;
  return `${user}@${jid.slice(at + 1)}`;
}

/** A LID and a phone JID in either order (device parts dropped), or null when they are not one of each. */
export function lidPairOf(a: string | null | undefined, b: string | null | undefined): LidPair | null {
  if (!a || !b) return null;
  const [x, y] = [bareJid(a), bareJid(b)];
  const isLid = (j: string) => /^\d+@lid$/.test(j);
  const isPn = (j: string) => /^\d+@s\.whatsapp\.net$/.test(j);
  if (isLid(x) && isPn(y)) return { lid: x, pn: y };
  if (isPn(x) && isLid(y)) return { lid: y, pn: x };
  return null;
}

/**
 * The pairs in a write to Baileys' `lid-mapping` key store: `{ <pnUser>: <lidUser>, <lidUser>_reverse: <pnUser> }`
 * (how Baileys' LIDMappingStore keeps them, whatever told it: message attributes, usync, history sync).
 */
export function lidPairsOfStoreWrite(data: { [id: string]: unknown } | null | undefined): LidPair[] {
  if (!data) return [];
  const pairs: LidPair[] = [];
  for (const [id, value] of Object.entries(data)) {
    if (id.endsWith('_reverse') || typeof value !== 'string') continue;
    if (!/^\d+$/.test(id) || !/^\d+$/.test(value)) continue;
    pairs.push({ lid: `${value}@lid`, pn: `${id}@s.whatsapp.net` });
  }
  return pairs;
}

export function mapKey(key: WAMessageKey): WaMessageKey {
  return {
    id: key.id ?? '',
    remoteJid: key.remoteJid ?? '',
    fromMe: Boolean(key.fromMe),
    remoteJidAlt: key.remoteJidAlt || null,
    participant: key.participant || null,
    participantAlt: key.participantAlt || null,
    addressingMode: key.addressingMode === 'lid' || key.addressingMode === 'pn' ? key.addressingMode : null,
  };
}

const STATUS_NAMES: Record<number, WaMessageStatus> = {
  [proto.WebMessageInfo.Status.ERROR]: 'error',
  [proto.WebMessageInfo.Status.PENDING]: 'pending',
  [proto.WebMessageInfo.Status.SERVER_ACK]: 'sent',
  [proto.WebMessageInfo.Status.DELIVERY_ACK]: 'delivered',
  [proto.WebMessageInfo.Status.READ]: 'read',
  [proto.WebMessageInfo.Status.PLAYED]: 'played',
};

export function mapStatus(status: number | null | undefined): WaMessageStatus | null {
  return status === null || status === undefined ? null : (STATUS_NAMES[status] ?? null);
}

function contentOf(message: proto.IMessage | null | undefined): { message: JsonObject | null; messageType: string | null; text: string | null } {
  if (!message) return { message: null, messageType: null, text: null };
  const normalized = normalizeMessageContent(message);
  const messageType = (normalized && getContentType(normalized)) ?? null;
  const json = proto.Message.fromObject(message as { [k: string]: unknown }).toJSON() as JsonObject;
  return { message: json, messageType: messageType ?? null, text: textOf(normalized) };
}

function textOf(m: proto.IMessage | undefined): string | null {
  if (!m) return null;
  return (
    m.conversation ??
    m.extendedTextMessage?.text ??
    m.imageMessage?.caption ??
    m.videoMessage?.caption ??
    m.documentMessage?.caption ??
    m.reactionMessage?.text ??
    null
  );
}

export function mapMessage(msg: WAMessage): WaMessage {
  return {
    key: mapKey(msg.key),
    ...contentOf(msg.message),
    pushName: msg.pushName ?? null,
    messageTimestamp: msg.messageTimestamp === null || msg.messageTimestamp === undefined ? null : toNumber(msg.messageTimestamp),
    status: mapStatus(msg.status),
  };
}

export function mapMessageUpdate(u: WAMessageUpdate): WaMessageUpdate {
  const content = contentOf(u.update.message);
  return { key: mapKey(u.key), status: mapStatus(u.update.status), message: content.message, messageType: content.messageType };
}

export function mapContact(c: Contact): WaContact {
  return {
    id: c.id,
    lid: c.lid ?? null,
    phoneNumber: c.phoneNumber ?? null,
    name: c.name ?? null,
    notify: c.notify ?? null,
    verifiedName: c.verifiedName ?? null,
    imgUrl: c.imgUrl ?? null,
  };
}

export function mapChat(c: Chat | ChatUpdate): WaChat {
  return {
    id: c.id ?? '',
    name: c.name ?? null,
    unreadCount: c.unreadCount ?? null,
    conversationTimestamp: c.conversationTimestamp === null || c.conversationTimestamp === undefined ? null : toNumber(c.conversationTimestamp),
    archived: c.archived ?? null,
    pinned: c.pinned === null || c.pinned === undefined ? null : toNumber(c.pinned),
    muteEndTime: c.muteEndTime === null || c.muteEndTime === undefined ? null : toNumber(c.muteEndTime),
    readOnly: c.readOnly ?? null,
  };
}

export function mapGroup(g: GroupMetadata): WaGroup {
  return {
    id: g.id,
    subject: g.subject ?? null,
    desc: g.desc ?? null,
    owner: g.owner ?? null,
    creation: g.creation ?? null,
    announce: g.announce ?? null,
    restrict: g.restrict ?? null,
    participants: g.participants
      ? g.participants.map((p) => ({ id: p.id, admin: p.admin === 'admin' || p.admin === 'superadmin' ? p.admin : null }))
      : null,
  };
}

/** For partial updates: keep only the fields the source actually carried (plus id). */
function pickDefined<T extends { id: string }>(mapped: T, source: object): Partial<T> & { id: string } {
  const out: Partial<T> & { id: string } = { id: mapped.id } as Partial<T> & { id: string };
  for (const key of Object.keys(mapped) as Array<keyof T>) {
    if (key in source && (source as Record<string, unknown>)[key as string] !== undefined) out[key] = mapped[key];
  }
  return out;
}

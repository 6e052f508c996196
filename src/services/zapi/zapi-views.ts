import type { ChatEntity } from '../../persistence/entities/chat.entity.js';
import type { ContactEntity } from '../../persistence/entities/contact.entity.js';
import type { InstanceEntity } from '../../persistence/entities/instance.entity.js';
import type { MessageEntity } from '../../persistence/entities/message.entity.js';
import type { MediaKind } from '../messages/media-rules.js';
import type { ZapiAcceptedMessage } from './zapi-ports.js';

/** Shapes of the Z-API-INSTANCE API v1.0.4, field names and value types exactly as its tables and examples show. */

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `YYYY-MM-DD HH:mm:ss` in UTC (the token's `expires_at`). */
export function formatZapiDateTime(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** `2025-04-30T00:27:17.000000Z`: ISO 8601 in UTC with microseconds, as the old API wrote `created_at`. */
export function formatZapiTimestamp(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export interface ZapiInstanceView {
  sistema_id: number;
  tag: string;
  descricao: string | null;
  /** The client's old-provider instance id (null for instances made through /whatsapp). */
  instance_id: string | null;
  uuid: string;
  updated_at: string;
  created_at: string;
  id: number;
}

export interface ZapiInstanceListItem {
  id: number;
  tag: string;
  descricao: string | null;
}

/** Instances made through /whatsapp have no tag: their name stands in. */
export function toZapiInstance(i: InstanceEntity, systemId: number): ZapiInstanceView {
  return {
    sistema_id: systemId,
    tag: i.tag ?? i.name,
    descricao: i.description,
    instance_id: i.externalInstanceId,
    uuid: i.uuid,
    updated_at: formatZapiTimestamp(i.updatedAt),
    created_at: formatZapiTimestamp(i.createdAt),
    id: i.legacyId,
  };
}

export function toZapiInstanceListItem(i: InstanceEntity): ZapiInstanceListItem {
  return { id: i.legacyId, tag: i.tag ?? i.name, descricao: i.description };
}

export interface ZapiLinkStatus {
  connected: boolean;
  smartphoneConnected: boolean;
}

/**
 * `connected` from the instance's status. With multi-device the phone need not be online for the instance to work,
 * and WhatsApp tells a linked device nothing about it, so `smartphoneConnected` follows `connected`.
 */
export function toZapiLinkStatus(i: Pick<InstanceEntity, 'status'>): ZapiLinkStatus {
  const connected = i.status === 'connected';
  return { connected, smartphoneConnected: connected };
}

const userPart = (jid: string) => jid.slice(0, jid.lastIndexOf('@'));

/**
 * How the old API wrote a chat's address: the digits for a person, `<id>-group` for a group (Z-API's convention,
 * accepted back on input), the JID itself for anything else (`<id>@lid`).
 */
export function zapiPhoneOf(jid: string): string {
  if (jid.endsWith('@s.whatsapp.net')) return userPart(jid);
  if (jid.endsWith('@g.us')) return `${userPart(jid)}-group`;
  return jid;
}

export interface ZapiContact {
  vname: string;
  phone: string;
}

/** Every /api output writes a phone as the Z-API-INSTANCE document does: digits only (`"5511988043592"`, no `+`). */
export function zapiDigits(phone: string): string {
  return phone.replace(/^\+/, '');
}

export function toZapiContact(c: ContactEntity): ZapiContact {
  const phone = c.phone ? zapiDigits(c.phone) : zapiPhoneOf(c.jid);
  return { vname: c.name ?? c.notify ?? c.verifiedName ?? phone, phone };
}

export interface ZapiMessage {
  message: string;
  fromMe: boolean;
  /** Epoch milliseconds. */
  timestamp: number;
}

/** Text, else caption, else empty (media without caption, stickers, ...). */
export function toZapiMessage(m: MessageEntity): ZapiMessage {
  return { message: m.text ?? m.caption ?? '', fromMe: m.fromMe, timestamp: m.messageTimestamp.getTime() };
}

/** Z-API's chat shape: most values are strings ("true", "0"), `isGroup` and `isGroupAnnouncement` booleans. */
export interface ZapiChat {
  pinned: 'true' | 'false';
  messagesUnread: string;
  unread: string;
  lastMessageTime: string;
  isGroupAnnouncement: boolean;
  archived: 'true' | 'false';
  phone: string;
  name: string;
  isGroup: boolean;
  isMuted: '0' | '1';
  isMarkedSpam: 'true' | 'false';
}

export function toZapiChat(c: ChatEntity, now: Date = new Date()): ZapiChat {
  const phone = zapiPhoneOf(c.jid);
  const unread = String(c.unreadCount);
  return {
    pinned: c.pinned ? 'true' : 'false',
    messagesUnread: unread,
    unread,
    lastMessageTime: String(c.lastMessageAt?.getTime() ?? 0),
    isGroupAnnouncement: c.isAnnouncement,
    archived: c.archived ? 'true' : 'false',
    phone,
    name: c.name ?? phone,
    isGroup: c.isGroup,
    isMuted: c.mutedUntil !== null && c.mutedUntil.getTime() > now.getTime() ? '1' : '0',
    isMarkedSpam: c.markedSpam ? 'true' : 'false',
  };
}

const MEDIA_LABELS: Record<MediaKind, string> = { document: 'DOCUMENTO', image: 'IMAGEM', video: 'VIDEO', audio: 'AUDIO' };

export interface ZapiSendResponse {
  error: false;
  http_code: 200;
  message: string;
  data: { contato: Record<string, unknown>; chat: Record<string, unknown> };
}

/**
 * The send routes' answer as v1.0.4 shows it. The old API had numeric ids for its contact and chat rows; we have
 * none (our message id is `zaap_id`, WhatsApp's is `message_id`/`zapi_id`), so `id` and `contato_id` are null.
 * `telefone_conectado` is also written with the example's spelling (`telefone_conctado`), since clients may read that.
 */
export function toZapiSendResponse(input: {
  systemId: number;
  instance: Pick<InstanceEntity, 'legacyId'>;
  phone: string;
  isGroup: boolean;
  chatName: string | null;
  accepted: ZapiAcceptedMessage;
  content: { kind: 'text'; text: string } | { kind: 'media'; mediaType: MediaKind; fileName: string };
}): ZapiSendResponse {
  const at = formatZapiTimestamp(input.accepted.acceptedAt);
  const media = input.content.kind === 'media';
  const mensagem =
    input.content.kind === 'text'
      ? input.content.text
      : `{{ENVIO DE ${MEDIA_LABELS[input.content.mediaType]}}} ${input.content.fileName}`;
  return {
    error: false,
    http_code: 200,
    message: media ? 'Documento registrado com sucesso.' : 'Mensagem registrada com sucesso.',
    data: {
      contato: {
        instancia_id: input.instance.legacyId,
        sistema_id: input.systemId,
        contato: zapiDigits(input.phone),
        descricao: input.chatName,
        grupo: input.isGroup ? 'S' : 'N',
        foto: null,
        updated_at: at,
        created_at: at,
        id: null,
      },
      chat: {
        contato_id: null,
        instancia_id: input.instance.legacyId,
        sistema_id: input.systemId,
        zaap_id: input.accepted.messageId,
        message_id: input.accepted.waMessageId,
        zapi_id: input.accepted.waMessageId,
        tipo: 'envio',
        quem_enviou: 'sistema',
        telefone_conectado: null,
        telefone_conctado: null,
        status: null,
        mensagem,
        updated_at: at,
        created_at: at,
        id: null,
      },
    },
  };
}

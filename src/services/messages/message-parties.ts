import type { WaContact, WaMessage } from '../../engine/engine-types.js';
import type { ChatInput } from '../../persistence/repositories/chat-repository.js';
import { isLidJid, isPnJid, type Identity, type LidDirectory } from './lid-directory.js';

/** A LID and a phone JID among two JIDs (either order, device parts dropped), or null. */
function pairOf(a: string | null | undefined, b: string | null | undefined): { lid: string; pn: string } | null {
  if (!a || !b) return null;
  const [x, y] = [a.replace(/:\d+@/, '@'), b.replace(/:\d+@/, '@')];
  if (isLidJid(x) && isPnJid(y)) return { lid: x, pn: y };
  if (isPnJid(x) && isLidJid(y)) return { lid: y, pn: x };
  return null;
}

/** Where a message is filed and who wrote it, in both addressings. */
export interface MessageParties {
  chatJid: string;
  /** Null for our own messages. */
  sender: Identity | null;
}

/**
 * Files what WhatsApp reports under the phone JID when it is known and names senders in both addressings,
 * learning on the way every LID ↔ phone pair the report carries (message keys, contacts, history).
 */
export class MessagePartiesResolver {
  constructor(private readonly lids: LidDirectory) {}

  /** Learns the pairs contacts carry (id + lid, id + phoneNumber) and says who each one is. */
  async identifyContacts(
    instanceId: string,
    contacts: ReadonlyArray<Partial<WaContact> & { id: string }>,
    source: 'contact' | 'history',
  ): Promise<Array<Identity | undefined>> {
    const pairs = contacts
      .map((c) => pairOf(c.id, c.lid) ?? pairOf(c.id, c.phoneNumber ? `${c.phoneNumber.replace(/^\+/, '').replace(/@.*$/, '')}@s.whatsapp.net` : null))
      .filter((p): p is { lid: string; pn: string } => p !== null);
    if (pairs.length > 0) await this.lids.learn(instanceId, pairs, source);
    const out: Array<Identity | undefined> = [];
    for (const c of contacts) {
      out.push(isLidJid(c.id) || isPnJid(c.id) ? await this.lids.identify(instanceId, c.id, c.lid ?? null) : undefined);
    }
    return out;
  }

  /**
   * Learns the pairs a message key carries (remoteJid/remoteJidAlt in one-to-one chats, with how the contact
   * addressed it; participant/participantAlt in groups) and files the message: the chat under the phone JID
   * when known, the sender in both addressings.
   */
  async of(instanceId: string, msg: WaMessage): Promise<MessageParties> {
    const key = msg.key;
    const isGroup = key.remoteJid.endsWith('@g.us');
    if (isGroup) {
      const pair = pairOf(key.participant, key.participantAlt);
      if (pair) await this.lids.learn(instanceId, [pair], 'group-message');
      const sender = key.fromMe || !key.participant ? null : await this.lids.identify(instanceId, key.participant, key.participantAlt);
      return { chatJid: key.remoteJid, sender };
    }
    const pair = pairOf(key.remoteJid, key.remoteJidAlt);
    if (pair) {
      const addressing = !key.fromMe && key.addressingMode ? key.addressingMode : !key.fromMe ? (isLidJid(key.remoteJid) ? 'lid' : 'pn') : undefined;
      await this.lids.learn(instanceId, [pair], 'message', addressing);
    }
    const who = await this.lids.identify(instanceId, key.remoteJid, key.remoteJidAlt);
    return { chatJid: who.jid, sender: key.fromMe ? null : who };
  }

  /** Chats under a LID whose phone we know are the phone's chat. */
  async filedChats(instanceId: string, inputs: ChatInput[]): Promise<ChatInput[]> {
    const out: ChatInput[] = [];
    for (const input of inputs) out.push(isLidJid(input.jid) ? { ...input, jid: await this.lids.canonical(instanceId, input.jid) } : input);
    return out;
  }
}

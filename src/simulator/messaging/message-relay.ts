import { encodeWAMessage, generateMessageID, jidDecode, proto, unpadRandomMax16, type BinaryNode } from '@whiskeysockets/baileys';
import type { Contact, LinkedDevice, Phone } from '../state/accounts.js';
import { SimulatorError } from '../errors.js';
import { stanzaTypeOf, type Addressing } from './contact-messages.js';
import { describeMessage, type InboxEntry } from './message-content.js';
import { readVote } from './vote-reader.js';
import { lidJid, lidUserFor } from '../state/accounts.js';
import { children, findChild } from '../protocol/pairing.js';
import type { CipherType } from '../signal/signal-party.js';
import { contactPresenceNode } from './presence-nodes.js';
import { appStateKeyShare } from '../protocol/app-state.js';
import { bundleOfRetry, retryReceiptKey, retryReceiptNode } from './retry-receipts.js';
import type { SimulatorContext } from '../state/simulator-state.js';

const now = (): number => Math.floor(Date.now() / 1000);
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export type { Addressing } from './contact-messages.js';

/**
 * Moves messages between linked devices and the simulated contacts: decrypts what a device sends
 * (as the contact, and as the own phone for the deviceSentMessage copy) and encrypts what a
 * contact sends to every device of the linked number.
 */
export class MessageRelay {
  constructor(private readonly ctx: SimulatorContext) {}

  // ---- device -> contact -------------------------------------------------------------------

  async onDeviceMessage(device: LinkedDevice, node: BinaryNode, send: (node: BinaryNode) => void): Promise<void> {
    const { id, to } = node.attrs;
    if (!id || !to) return;
    const phone = device.phone;
    const ack: BinaryNode = { tag: 'ack', attrs: { class: 'message', id, from: to, t: String(now()) } };
    if (phone.faults.nextAckError !== undefined) {
      ack.attrs.error = String(phone.faults.nextAckError);
      delete phone.faults.nextAckError;
      if (phone.faults.ackDelayMs) await delay(phone.faults.ackDelayMs);
      send(ack);
      return;
    }
    if (to.endsWith('@g.us')) {
      await this.ctx.groups?.onDeviceMessage(device, node);
    } else {
      const targets: { jid: string; enc: BinaryNode }[] = [];
      for (const toNode of children(findChild(node, 'participants'), 'to')) {
        const enc = findChild(toNode, 'enc');
        if (enc && toNode.attrs.jid) targets.push({ jid: toNode.attrs.jid, enc });
      }
      const direct = findChild(node, 'enc');
      if (direct) targets.push({ jid: to, enc: direct });
      const retries = await Promise.all(targets.map((target) => this.deliverFromDevice(device, node, target.jid, target.enc)));
      if (phone.faults.ackDelayMs) await delay(phone.faults.ackDelayMs);
      send(ack);
      // A retry receipt is addressed to the device, not to this socket: if the socket died meanwhile (its process
      // killed), WhatsApp keeps the receipt for the device's next login (another process taking the session over).
      for (const retry of retries) if (retry) this.deliver(device, async () => retry);
      return;
    }
    if (phone.faults.ackDelayMs) await delay(phone.faults.ackDelayMs);
    send(ack);
  }

  /**
   * A device could not decrypt a contact's message and asks for it again (retry receipt): the contact starts a new
   * session (from the bundle in the receipt, else from the device's uploaded prekeys) and sends the same id again.
   */
  async onRetryReceipt(device: LinkedDevice, receipt: BinaryNode): Promise<void> {
    const id = receipt.attrs.id;
    const sent = id ? device.fromContacts.get(id) : undefined;
    if (!sent) return;
    const { party } = sent.contact;
    await party.withLock(device.address, async () => {
      const bundle = bundleOfRetry(receipt) ?? device.takeBundle();
      if (bundle) await party.restartSession(device.address, bundle);
    });
    this.ctx.logger.debug({ id, device: device.jid }, 'contact resends a message after a retry receipt');
    this.deliver(device, sent.build);
  }

  /** Decrypts a device's message as its recipient; answers the retry receipt to send back when that fails. */
  private async deliverFromDevice(device: LinkedDevice, stanza: BinaryNode, jid: string, enc: BinaryNode): Promise<BinaryNode | undefined> {
    const decoded = jidDecode(jid);
    if (!decoded?.user || !(enc.content instanceof Uint8Array)) return;
    const account = this.ctx.state.resolve(decoded.user, decoded.server);
    const deviceId = decoded.device ?? 0;
    const type = enc.attrs.type as CipherType;
    const id = stanza.attrs.id!;
    const log = this.ctx.logger;
    if (!account) {
      log.debug({ jid, id }, 'message for an unknown user dropped');
      return;
    }
    if (account.kind === 'phone' && deviceId !== 0) {
      this.forwardToCompanion(device, account.phone, deviceId, stanza, jid, enc);
      return;
    }
    if (account.kind === 'phone') {
      // The own phone's deviceSentMessage copy: the server only records it (decrypting it would cost as
      // much as the contact's copy and tell nothing the stanza does not: the destination is `to`).
      account.phone.sent.push({ id, from: device.jid, destinationJid: stanza.attrs.to ?? '', timestamp: now() });
      return;
    }
    const party = account.contact.party;
    const ciphertext = enc.content;
    let message: proto.Message;
    try {
      const plaintext = await party.withLock(device.address, () => party.decrypt(device.address, type, ciphertext));
      message = proto.Message.decode(unpadRandomMax16(plaintext));
    } catch (err) {
      // As a phone does: ask the sender for the message again, with a fresh bundle to start a new session from.
      const contact = account.contact;
      const count = (contact.retriesSent.get(id) ?? 0) + 1;
      contact.retriesSent.set(id, count);
      log.warn({ err, jid, id, from: device.jid, type, count }, 'contact could not decrypt a message; asking for it again');
      if (count > 5) return undefined;
      const from = stanza.attrs.to ?? jid;
      return retryReceiptNode({ from, participant: jid, id, t: stanza.attrs.t ?? String(now()), count, bundle: party.takeBundle() });
    }
    await this.recordInbox(account.contact, { id, from: device.phone.number, to: jid.replace(/:\d+@/, '@') }, message);
  }

  /** What a contact decrypted goes to its inbox; media is downloaded, checked and decrypted first. */
  async recordInbox(contact: Contact, base: { id: string; from: string; to?: string; group?: string }, message: proto.Message): Promise<void> {
    // A resend of a message id the contact already has (a sender that crashed after sending, before it saw the
    // ack, sends the same id again) is the same message: WhatsApp shows it once.
    if (contact.inbox.some((e) => e.id === base.id && e.from === base.from)) return;
    const entry: InboxEntry = { ...base, timestamp: now(), receivedAt: Date.now(), ...describeMessage(message) };
    this.ctx.state.book.record({ id: base.id, message, sender: base.from, chat: base.group ?? contact.phone });
    if (message.pollUpdateMessage) {
      const vote = readVote(message.pollUpdateMessage, this.ctx.state.book, base.from);
      if ('error' in vote) entry.voteError = vote.error;
      else entry.vote = vote;
    }
    if (entry.media && this.ctx.media) {
      try {
        const media = await this.ctx.media.decrypt(message);
        Object.assign(entry, { sha256: media.sha256, size: media.size }, media.mimetype ? { mimetype: media.mimetype } : {});
      } catch (err) {
        this.ctx.logger.warn({ err, id: base.id }, 'contact could not download or decrypt media');
        entry.mediaError = err instanceof Error ? err.message : String(err);
      }
    }
    contact.inbox.push(entry);
  }

  /** Another companion of the same account: the server forwards the ciphertext unchanged. */
  private forwardToCompanion(sender: LinkedDevice, phone: Phone, deviceId: number, stanza: BinaryNode, jid: string, enc: BinaryNode): void {
    const target = phone.devices.get(deviceId);
    if (!target?.connected) return;
    const lid = jid.endsWith('@lid');
    target.connection!.sendNode({
      tag: 'message',
      attrs: {
        from: lid ? sender.lidJid : sender.jid,
        recipient: stanza.attrs.to!,
        id: stanza.attrs.id!,
        t: String(now()),
        type: stanza.attrs.type ?? 'text',
      },
      content: [enc],
    });
  }

  // ---- contact -> devices ------------------------------------------------------------------

  /**
   * The contact sends `content` to every device of linked number `to`; returns the message id.
   * `opts.addressing` defaults to the contact's current addressing.
   */
  sendFromContact(contact: Contact, to: string, content: proto.IMessage, opts: { addressing?: Addressing; id?: string; edit?: string } = {}): string {
    const phone = this.linkedPhone(to);
    const id = opts.id ?? generateMessageID();
    const t = String(now());
    const plaintext = encodeWAMessage(content);
    const stanzaType = stanzaTypeOf(content);
    const addressing = opts.addressing ?? contact.addressing;
    const mediatype = mediaType(content);
    for (const device of phone.devices.values()) {
      const build = (): Promise<BinaryNode> =>
        contact.party.withLock(device.address, async () => {
          const { type, ciphertext } = await contact.party.encrypt(device.address, plaintext, () => device.takeBundle());
          return {
            tag: 'message',
            attrs: {
              ...this.addressAttrs(contact, addressing),
              id,
              t,
              type: stanzaType,
              notify: contact.name,
              ...(opts.edit ? { edit: opts.edit } : {}),
            },
            content: [{ tag: 'enc', attrs: { v: '2', type, ...(mediatype ? { mediatype } : {}) }, content: ciphertext }],
          };
        });
      device.fromContacts.set(id, { contact, build });
      if (device.fromContacts.size > 1000) device.fromContacts.delete(device.fromContacts.keys().next().value!);
      this.deliver(device, build);
    }
    return id;
  }

  sendReceipt(contact: Contact, to: string, ids: string[], type: 'delivered' | 'read', addressing?: Addressing): void {
    const phone = this.linkedPhone(to);
    const [first, ...rest] = ids;
    if (!first) throw new SimulatorError('validation_failed', 400, 'ids must not be empty');
    const node: BinaryNode = {
      tag: 'receipt',
      attrs: { from: (addressing ?? contact.addressing) === 'lid' ? contact.lidJid : contact.jid, id: first, t: String(now()), ...(type === 'read' ? { type: 'read' } : {}) },
      ...(rest.length ? { content: [{ tag: 'list', attrs: {}, content: rest.map((rid) => ({ tag: 'item', attrs: { id: rid } })) }] } : {}),
    };
    for (const device of phone.devices.values()) this.deliver(device, async () => node);
  }

  /**
   * The contact's presence. Chat states (composing, recording, paused) go to every connected device of `to`;
   * available/unavailable only to the sockets that subscribed to the contact (presenceSubscribe), as on WhatsApp.
   * Presence is never queued for offline devices. Returns how many sockets got it.
   */
  sendPresence(contact: Contact, to: string, state: 'composing' | 'recording' | 'paused' | 'available' | 'unavailable'): number {
    const phone = this.linkedPhone(to);
    let node: BinaryNode | undefined;
    const subscribersOnly = state === 'available' || state === 'unavailable';
    if (subscribersOnly) {
      contact.presence = { state, lastSeen: now() };
    } else {
      const child: BinaryNode = state === 'recording' ? { tag: 'composing', attrs: { media: 'audio' } } : { tag: state, attrs: {} };
      node = { tag: 'chatstate', attrs: { from: contact.jid }, content: [child] };
    }
    let sent = 0;
    for (const device of phone.devices.values()) {
      const connection = device.connected ? device.connection! : undefined;
      const subscribedAs = connection?.presenceSubscriptions.get(contact.phone);
      if (!connection || (subscribersOnly && !subscribedAs)) continue;
      connection.sendNode(node ?? contactPresenceNode(contact, subscribedAs));
      sent++;
    }
    return sent;
  }

  revoke(contact: Contact, to: string, targetId: string, addressing?: Addressing): string {
    const phone = this.linkedPhone(to);
    return this.sendFromContact(
      contact,
      to,
      { protocolMessage: { key: { remoteJid: phone.jid, fromMe: true, id: targetId }, type: proto.Message.ProtocolMessage.Type.REVOKE } },
      { addressing, edit: '7' },
    );
  }

  /** The phone sends its history (possibly empty) to a freshly paired device, as peer messages from device 0. */
  /**
   * What the phone sends a freshly paired device at its first login, as peer messages from device 0: its app-state
   * sync key (so app-state patches such as updateProfileName work), then its history (possibly empty; needs media).
   */
  async sendHistory(device: LinkedDevice): Promise<void> {
    const media = this.ctx.media;
    if (!device.historyPending) return;
    device.historyPending = false;
    const phone = device.phone;
    const messages: proto.IMessage[] = [appStateKeyShare(phone)];
    if (media) {
      const input = phone.history ?? { contacts: [], chats: [], messages: [] };
      messages.push(...(await media.historyNotifications(input, { lidForPhone: (p) => lidJid(lidUserFor(p)) })));
    }
    for (const content of messages) {
      const node = await phone.party.withLock(device.address, async () => {
        const { type, ciphertext } = await phone.party.encrypt(device.address, encodeWAMessage(content), () => device.takeBundle());
        return {
          tag: 'message',
          attrs: { from: phone.jid, id: generateMessageID(), t: String(now()), type: 'text', category: 'peer' },
          content: [{ tag: 'enc', attrs: { v: '2', type }, content: ciphertext }],
        } satisfies BinaryNode;
      });
      if (!device.connected) return;
      device.connection!.sendNode(node);
    }
  }


  /** Runs queued stanzas of a device that just logged in, marked `offline` as WhatsApp does. */
  async flushPending(device: LinkedDevice, send: (node: BinaryNode) => void): Promise<number> {
    let count = 0;
    while (device.pending.length) {
      const build = device.pending.shift()!;
      try {
        const node = await build();
        if (!node) continue;
        node.attrs.offline = '1';
        const key = inflightKey(node);
        if (key) device.inflight.set(key, node);
        send(node);
        count++;
      } catch (err) {
        this.ctx.logger.warn({ err, jid: device.jid }, 'could not build an offline stanza');
      }
    }
    return count;
  }

  /** Sends a stanza to a device now, or queues it for its next login (built lazily: encryption waits too). */
  deliver(device: LinkedDevice, build: () => Promise<BinaryNode | undefined>): void {
    if (!device.connected) {
      device.pending.push(build);
      return;
    }
    build()
      .then((node) => {
        if (!node) return;
        if (!device.connected) {
          device.pending.push(async () => node);
          return;
        }
        const key = inflightKey(node);
        if (key) device.inflight.set(key, node);
        device.connection!.sendNode(node);
      })
      .catch((err) => this.ctx.logger.warn({ err, jid: device.jid }, 'could not deliver to device'));
  }

  private addressAttrs(contact: Contact, addressing: Addressing = 'pn'): Record<string, string> {
    return addressing === 'lid'
      ? { from: contact.lidJid, sender_pn: contact.jid, addressing_mode: 'lid' }
      : { from: contact.jid, sender_lid: contact.lidJid };
  }

  private linkedPhone(number: string): Phone {
    const phone = this.ctx.state.phone(number);
    if (!phone || phone.devices.size === 0) throw new SimulatorError('phone_not_linked', 404, `${number} has no linked device`);
    return phone;
  }
}

/**
 * Stanzas the device acknowledges (ack or receipt), under the key their acknowledgement settles; kept in flight until
 * then and requeued if the socket drops. A retry receipt (acked with `ack class=receipt`) has a key of its own: its id
 * is the device's own message's.
 */
export function inflightKey(node: BinaryNode): string | undefined {
  const id = node.attrs.id;
  if (!id) return undefined;
  if (node.tag === 'message' || node.tag === 'notification') return id;
  if (node.tag === 'receipt' && node.attrs.type === 'retry') return retryReceiptKey(id);
  return undefined;
}

export function hasMedia(m: proto.IMessage): boolean {
  return !!(m.imageMessage || m.videoMessage || m.audioMessage || m.documentMessage || m.stickerMessage);
}

export function mediaType(m: proto.IMessage): string | undefined {
  if (m.imageMessage) return 'image';
  if (m.videoMessage) return 'video';
  if (m.audioMessage) return m.audioMessage.ptt ? 'ptt' : 'audio';
  if (m.documentMessage) return 'document';
  if (m.stickerMessage) return 'sticker';
  return undefined;
}

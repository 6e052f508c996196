import { generateMessageID } from '@whiskeysockets/baileys';
import type { KickReason } from '../state/accounts.js';
import type { FaultsBody, HistoryBody, SendMessageBody } from './control-schemas.js';
import { SimulatorError } from '../errors.js';
import type { Addressing, MessageRelay } from '../messaging/message-relay.js';
import { buildContactMessage } from '../messaging/contact-messages.js';
import { linkedProfilesNotification } from '../messaging/lid-announcements.js';
import { parseQr } from '../protocol/pairing.js';
import type { SimulatorContext } from '../state/simulator-state.js';

/** How long typing a code waits for the companion's hello to arrive (it may still be in flight). */
const LINK_CODE_WAIT_MS = 2_000;

/** The use cases behind the control API: what the phone and the contacts do. */
export class SimulatorControl {
  constructor(
    private readonly ctx: SimulatorContext,
    private readonly relay: MessageRelay,
  ) {}

  scan(qr: string, number: string, name?: string): { phone: string; jid: string; lid: string } {
    const parsed = parseQr(qr);
    const target = this.ctx.state.qrRefs.get(parsed.ref);
    if (!target) throw new SimulatorError('qr_not_found', 404, 'no connection is showing this QR (expired or already scanned)');
    const phone = this.ctx.state.getOrCreatePhone(number, name);
    const linked = target.scan(phone, parsed.noiseKey, parsed.identityKey, parsed.advSecret);
    return { phone: number, ...linked };
  }

  /** The person types the companion's link code on `number` ("Link with phone number"); resolves when linked. */
  async linkCode(number: string, code: string, name?: string): Promise<{ phone: string; jid: string; lid: string }> {
    // requestPairingCode resolves once Baileys has *sent* companion_hello: give the simulator a moment to read it
    const deadline = Date.now() + LINK_CODE_WAIT_MS;
    while (!this.ctx.state.linkCodes.has(number) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    const target = this.ctx.state.linkCodes.get(number);
    if (!target) throw new SimulatorError('no_link_code', 404, `no companion asked for a code for ${number} (requestPairingCode first)`);
    const phone = this.ctx.state.getOrCreatePhone(number, name);
    const linked = await target.typeLinkCode(phone, code);
    return { phone: number, ...linked };
  }

  createContact(number: string, name: string) {
    const contact = this.ctx.state.createContact(number, name);
    return { phone: contact.phone, name: contact.name, jid: contact.jid, lid: contact.lidJid };
  }

  updateContact(number: string, name: string) {
    const contact = this.ctx.state.contact(number);
    contact.name = name; // WhatsApp delivers push names with the next message (notify attribute)
    return { phone: contact.phone, name: contact.name, jid: contact.jid, lid: contact.lidJid };
  }

  /**
   * A contact's 1:1 message of any kind (see messaging/kind-schemas.ts); recorded so later kinds can refer to it.
   * When `to` blocked the contact, WhatsApp accepts the message from the sender (one tick) and never delivers it,
   * not even after an unblock: the answer is `{id, blocked: true}` and no device gets anything.
   */
  async sendFromContact(number: string, body: SendMessageBody): Promise<{ id: string; blocked?: true }> {
    const contact = this.ctx.state.contact(number);
    if (this.ctx.state.phone(body.to)?.blocked.has(number)) return { id: generateMessageID(), blocked: true };
    const addressing = body.addressing ?? contact.addressing;
    const built = await buildContactMessage(body, {
      sender: contact,
      chat: { kind: 'direct', peer: body.to },
      addressing,
      book: this.ctx.state.book,
      media: this.ctx.media,
    });
    const id = this.relay.sendFromContact(contact, body.to, built.content, { addressing, ...(built.edit ? { edit: built.edit } : {}) });
    this.ctx.state.book.record({ id, message: built.content, sender: contact.phone, chat: body.to });
    return { id };
  }

  /** From now on the contact's 1:1 stanzas are `pn` (from PN, sender_lid) or `lid` (from LID, sender_pn) addressed. */
  setAddressing(number: string, mode: Addressing) {
    const contact = this.ctx.state.contact(number);
    contact.addressing = mode;
    return { phone: contact.phone, jid: contact.jid, lid: contact.lidJid, addressing: contact.addressing };
  }

  /** The server announces the contact's LID↔phone pair to every device of `to` (Baileys: lid-mapping.update). */
  announceLid(number: string, to: string) {
    const contact = this.ctx.state.contact(number);
    const phone = this.linked(to);
    for (const device of phone.devices.values()) this.relay.deliver(device, async () => linkedProfilesNotification(contact));
    return { lid: contact.lidJid, pn: contact.jid, devices: phone.devices.size };
  }

  /** The contact's inbox, oldest first; only the entries after the first `after` when given. */
  inbox(number: string, after = 0) {
    return this.ctx.state.contact(number).inbox.slice(after).map(({ media: _media, ...entry }) => entry);
  }

  receiptsIn(number: string) {
    return this.ctx.state.contact(number).receiptsIn;
  }

  presenceIn(number: string) {
    return this.ctx.state.contact(number).presenceIn;
  }

  receipts(number: string, to: string, ids: string[], type: 'delivered' | 'read', addressing?: Addressing) {
    this.relay.sendReceipt(this.ctx.state.contact(number), to, ids, type, addressing);
    return { ok: true };
  }

  presence(number: string, to: string, state: 'composing' | 'recording' | 'paused' | 'available' | 'unavailable') {
    const contact = this.ctx.state.contact(number);
    if (this.ctx.state.phone(to)?.blocked.has(number)) return { ok: true, delivered: 0 }; // a blocked contact's presence is not shown
    const delivered = this.relay.sendPresence(contact, to, state);
    return { ok: true, delivered };
  }

  revoke(number: string, to: string, id: string, addressing?: Addressing) {
    return { id: this.relay.revoke(this.ctx.state.contact(number), to, id, addressing) };
  }

  kick(number: string, reason: KickReason) {
    const phone = this.linked(number);
    const kicked: string[] = [];
    for (const device of [...phone.devices.values()]) {
      if (device.connected) {
        kicked.push(device.jid);
        device.connection!.kick(reason);
      } else if (reason === 'logged_out') {
        phone.devices.delete(device.id);
        phone.removedDevices.add(device.id);
      }
    }
    if (reason === 'banned') phone.banned = true;
    return { kicked };
  }

  faults(number: string, faults: FaultsBody) {
    const phone = this.ctx.state.getOrCreatePhone(number);
    if (faults.nextAckError === null) delete phone.faults.nextAckError;
    else if (faults.nextAckError !== undefined) phone.faults.nextAckError = faults.nextAckError;
    if (faults.ackDelayMs !== undefined) phone.faults.ackDelayMs = faults.ackDelayMs;
    if (faults.iqDelayMs !== undefined) phone.faults.iqDelayMs = faults.iqDelayMs;
    return { faults: phone.faults };
  }

  unban(number: string) {
    const phone = this.linked(number);
    phone.banned = false;
    return { ok: true };
  }

  history(number: string, history: HistoryBody) {
    const phone = this.ctx.state.getOrCreatePhone(number);
    phone.history = history;
    return { ok: true };
  }

  /**
   * The linked number's own presence as its devices last set it (sendPresenceUpdate available|unavailable), the log
   * of those updates, and the contacts its connected sockets subscribed to (presenceSubscribe).
   */
  phonePresence(number: string) {
    const phone = this.linked(number);
    const last = phone.presenceLog.at(-1);
    const subscribedTo = new Set<string>();
    for (const device of phone.devices.values()) for (const contact of device.connection?.presenceSubscriptions.keys() ?? []) subscribedTo.add(contact);
    return { state: last?.state ?? 'unavailable', log: phone.presenceLog, subscribedTo: [...subscribedTo] };
  }

  phoneSent(number: string) {
    return this.linked(number).sent;
  }

  state() {
    const phones = [...this.ctx.state.phones.values()].map((phone) => ({
      phone: phone.number,
      jid: phone.jid,
      lid: phone.lidJid,
      banned: phone.banned,
      devices: [...phone.devices.values()].map((d) => ({
        id: d.id,
        jid: d.jid,
        lid: d.lidJid,
        connected: d.connected,
        preKeys: d.preKeys.size,
        pending: d.pending.length,
      })),
    }));
    const contacts = [...this.ctx.state.contacts.values()].map((c) => ({ phone: c.phone, name: c.name, jid: c.jid, lid: c.lidJid, addressing: c.addressing, inbox: c.inbox.length }));
    return { phones, contacts };
  }

  private linked(number: string) {
    const phone = this.ctx.state.phone(number);
    if (!phone) throw new SimulatorError('phone_not_found', 404, `no linked number ${number}`);
    return phone;
  }
}

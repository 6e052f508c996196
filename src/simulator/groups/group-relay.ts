import { encodeWAMessage, generateMessageID, jidDecode, proto, unpadRandomMax16, type BinaryNode } from '@whiskeysockets/baileys';
import type { Contact, LinkedDevice } from '../state/accounts.js';
import { SimulatorError } from '../errors.js';
import type { Group } from './groups.js';
import { stanzaTypeOf } from '../messaging/contact-messages.js';
import { mediaType, type MessageRelay } from '../messaging/message-relay.js';
import { children, findChild } from '../protocol/pairing.js';
import type { CipherType } from '../signal/signal-party.js';
import type { SenderId } from '../signal/sender-keys.js';
import type { SimulatorContext } from '../state/simulator-state.js';

const now = (): number => Math.floor(Date.now() / 1000);

/**
 * Group messages with sender keys, as WhatsApp's server fans them out: one `skmsg` for everyone, plus a
 * `pkmsg`/`msg` carrying the sender key distribution message for devices that do not have the key yet.
 */
export class GroupRelay {
  constructor(
    private readonly ctx: SimulatorContext,
    private readonly relay: MessageRelay,
  ) {}

  // ---- contact -> linked devices -----------------------------------------------------------

  /** `contact` sends `content` to `group`: every device of every linked member gets it. Returns the id. */
  async sendFromContact(contact: Contact, group: Group, content: proto.IMessage, opts: { edit?: string } = {}): Promise<string> {
    if (!group.has(contact.phone)) throw new SimulatorError('not_a_participant', 403, `${contact.phone} is not in ${group.jid}`);
    if (group.announce && !group.isAdmin(contact.phone)) throw new SimulatorError('announcement_only', 403, `only admins send to ${group.jid}`);
    const id = generateMessageID();
    const t = String(now());
    const self: SenderId = { user: contact.phone, device: 0 };
    const { ciphertext, distribution } = await contact.party.withLock({ name: `group:${group.jid}`, device: 0 }, () =>
      contact.senderKeys.encrypt(group.jid, self, encodeWAMessage(content)),
    );
    const skdm = encodeWAMessage({ senderKeyDistributionMessage: { groupId: group.jid, axolotlSenderKeyDistributionMessage: distribution } });
    const mediatype = mediaType(content);
    const type = stanzaTypeOf(content);
    const skmsg: BinaryNode = { tag: 'enc', attrs: { v: '2', type: 'skmsg', ...(mediatype ? { mediatype } : {}) }, content: ciphertext };
    for (const device of this.memberDevices(group)) {
      const holder = `${group.jid}|${device.jid}`;
      const needsKey = !contact.senderKeyHolders.has(holder);
      contact.senderKeyHolders.add(holder);
      this.relay.deliver(device, () =>
        contact.party.withLock(device.address, async () => {
          const encs: BinaryNode[] = [];
          if (needsKey) {
            const key = await contact.party.encrypt(device.address, skdm, () => device.takeBundle());
            encs.push({ tag: 'enc', attrs: { v: '2', type: key.type }, content: key.ciphertext });
          }
          encs.push(skmsg);
          return {
            tag: 'message',
            attrs: {
              from: group.jid,
              participant: contact.jid,
              participant_lid: contact.lidJid,
              addressing_mode: group.addressingMode,
              id,
              t,
              type,
              notify: contact.name,
              ...(opts.edit ? { edit: opts.edit } : {}),
            },
            content: encs,
          } satisfies BinaryNode;
        }),
      );
    }
    return id;
  }

  // ---- linked device -> members ------------------------------------------------------------

  /**
   * A device sent `message{to: group} > [participants > to > enc(SKDM)*, enc(skmsg)]`: each member contact
   * decrypts the distribution message (if it got one) and the skmsg into its inbox; other linked devices get
   * the stanza as WhatsApp forwards it (`from: group, participant: sender device`).
   */
  async onDeviceMessage(device: LinkedDevice, stanza: BinaryNode): Promise<void> {
    const { id, to } = stanza.attrs;
    const group = to ? this.ctx.state.groups.find(to) : undefined;
    const skmsg = children(stanza, 'enc').find((e) => e.attrs.type === 'skmsg');
    if (!id || !group || !group.has(device.phone.number) || !(skmsg?.content instanceof Uint8Array)) {
      this.ctx.logger.debug({ id, to }, 'group message for an unknown group or from a non-member dropped');
      return;
    }
    const keys = this.distributionsByDevice(stanza);
    device.phone.sent.push({ id, from: device.jid, destinationJid: group.jid, timestamp: now() });
    const tasks: Promise<void>[] = [];
    for (const member of group.members.values()) {
      const contact = this.ctx.state.contacts.get(member.phone);
      if (contact) {
        tasks.push(this.toContact(contact, device, group, id, keys.get(`${contact.phone}:0`), skmsg.content));
        continue;
      }
      const phone = this.ctx.state.phone(member.phone);
      for (const target of phone?.devices.values() ?? []) {
        if (target === device) continue;
        const enc = keys.get(`${member.phone}:${target.id}`);
        const node: BinaryNode = {
          tag: 'message',
          attrs: {
            from: group.jid,
            participant: device.jid,
            participant_lid: device.lidJid,
            addressing_mode: group.addressingMode,
            id,
            t: String(now()),
            type: stanza.attrs.type ?? 'text',
            ...(device.phone.name ? { notify: device.phone.name } : {}),
          },
          content: enc ? [enc, skmsg] : [skmsg],
        };
        this.relay.deliver(target, async () => node);
      }
    }
    await Promise.all(tasks);
  }

  /** The per-device `enc` nodes of the stanza (the distribution messages), keyed `phone:device`. */
  private distributionsByDevice(stanza: BinaryNode): Map<string, BinaryNode> {
    const out = new Map<string, BinaryNode>();
    for (const toNode of children(findChild(stanza, 'participants'), 'to')) {
      const enc = findChild(toNode, 'enc');
      const decoded = toNode.attrs.jid ? jidDecode(toNode.attrs.jid) : undefined;
      if (!enc || !decoded?.user) continue;
      const account = this.ctx.state.resolve(decoded.user, decoded.server);
      if (!account) continue;
      const number = account.kind === 'contact' ? account.contact.phone : account.phone.number;
      out.set(`${number}:${decoded.device ?? 0}`, enc);
    }
    return out;
  }

  /** One contact's copy: the SKDM (if sent) then the skmsg, in arrival order per sending device. */
  private toContact(contact: Contact, device: LinkedDevice, group: Group, id: string, keyEnc: BinaryNode | undefined, skmsg: Uint8Array): Promise<void> {
    const sender: SenderId = { user: device.phone.number, device: device.id };
    const party = contact.party;
    // the lock is taken synchronously, so a device's messages are handled in the order they arrived
    return party
      .withLock(device.address, async () => {
        if (keyEnc?.content instanceof Uint8Array) {
          const plain = await party.decrypt(device.address, keyEnc.attrs.type as CipherType, keyEnc.content);
          const distribution = proto.Message.decode(unpadRandomMax16(plain)).senderKeyDistributionMessage;
          if (distribution?.axolotlSenderKeyDistributionMessage) {
            await contact.senderKeys.process(group.jid, sender, distribution.axolotlSenderKeyDistributionMessage);
          }
        }
        const message = proto.Message.decode(unpadRandomMax16(await contact.senderKeys.decrypt(group.jid, sender, skmsg)));
        await this.relay.recordInbox(contact, { id, from: device.phone.number, group: group.jid }, message);
      })
      .catch((err: unknown) => this.ctx.logger.warn({ err, id, group: group.jid, contact: contact.phone }, 'contact could not decrypt a group message'));
  }

  /** Every device of every linked number in the group. */
  private memberDevices(group: Group): LinkedDevice[] {
    const devices: LinkedDevice[] = [];
    for (const member of group.members.values()) {
      const phone = this.ctx.state.phone(member.phone);
      if (phone) devices.push(...phone.devices.values());
    }
    return devices;
  }
}

import { jidDecode, type BinaryNode } from '@whiskeysockets/baileys';
import { pnJid, type LinkedDevice, type Phone } from '../state/accounts.js';
import { SimulatorError } from '../errors.js';
import type { MessageRelay } from '../messaging/message-relay.js';
import { iqAnswers } from '../protocol/iq-answers.js';
import { findChild } from '../protocol/pairing.js';
import type { SimulatorContext } from '../state/simulator-state.js';
import { blocklistNotification, businessProfileNode, pictureNode, pictureNotification } from './profile-nodes.js';
import type { Picture } from './profiles.js';

const { result, error } = iqAnswers('s.whatsapp.net');

const bytesOf = (node: BinaryNode | undefined): Buffer | undefined =>
  node?.content instanceof Uint8Array ? Buffer.from(node.content) : typeof node?.content === 'string' ? Buffer.from(node.content, 'utf8') : undefined;

/** The xmlns this module answers. */
export const PROFILE_XMLNS = new Set(['w:profile:picture', 'status', 'w:biz', 'blocklist']);

/**
 * Profiles and blocklists, whoever changes them (a device through iqs, the phone or a contact through the control
 * API): pictures (`w:profile:picture`, own, a contact's or a group's), the about text (`status`; read through usync),
 * business profiles (`w:biz`) and the number's blocklist (`blocklist`), with the notifications WhatsApp sends.
 */
export class ProfileActions {
  constructor(
    private readonly ctx: SimulatorContext,
    private readonly relay: MessageRelay,
  ) {}

  answerIq(device: LinkedDevice, iq: BinaryNode): BinaryNode {
    const first = Array.isArray(iq.content) ? iq.content[0] : undefined;
    try {
      switch (iq.attrs.xmlns) {
        case 'w:profile:picture':
          return iq.attrs.type === 'get' ? this.getPicture(device, iq, first) : this.setPictureIq(device, iq, first);
        case 'status':
          if (first?.tag === 'status') this.setAbout(device.phone.number, bytesOf(first)?.toString('utf8') ?? '');
          return result(iq);
        case 'w:biz': {
          const jid = findChild(first, 'profile')?.attrs.jid ?? '';
          const number = this.ctx.state.numberOf(jid);
          const business = number ? this.ctx.state.profiles.find(number)?.business : undefined;
          return result(iq, business ? [businessProfileNode(jidNormal(jid), business)] : []);
        }
        case 'blocklist':
          if (iq.attrs.type === 'get') {
            const items = [...device.phone.blocked].map((number) => ({ tag: 'item', attrs: { jid: pnJid(number) } }));
            return result(iq, [{ tag: 'list', attrs: {}, content: items }]);
          }
          if (first?.tag === 'item') {
            const number = this.ctx.state.numberOf(first.attrs.pn_jid ?? first.attrs.jid ?? '');
            if (!number) return error(iq, 404, 'item-not-found');
            this.setBlocked(device.phone, number, first.attrs.action === 'block');
          }
          return result(iq);
        default:
          return result(iq);
      }
    } catch (err) {
      if (err instanceof SimulatorError) return error(iq, err.status, err.code);
      throw err;
    }
  }

  /** The URL a picture is served at (`GET /pictures/{id}.jpg` on the control server). */
  pictureUrl(picture: Picture): string {
    return `${this.ctx.state.pictureBaseUrl}/${picture.id}.jpg`;
  }

  /** Sets or removes (`jpeg` undefined) the picture of a number or a group, and notifies who WhatsApp notifies. */
  setPicture(key: string, jpeg: Buffer | undefined, author: string, except?: LinkedDevice): Picture | undefined {
    const picture = this.ctx.state.profiles.setPicture(key, jpeg, author);
    const group = key.endsWith('@g.us') ? this.ctx.state.groups.find(key) : undefined;
    const from = group ? group.jid : pnJid(key);
    // a group's members; for a number, every linked number (they may have it as a contact) including its own devices
    const recipients = group ? [...group.members.keys()] : [...this.ctx.state.phones.keys()];
    const node = pictureNotification(from, picture, pnJid(author));
    for (const number of recipients) {
      for (const device of this.ctx.state.phone(number)?.devices.values() ?? []) {
        if (device !== except) this.relay.deliver(device, async () => ({ ...node, attrs: { ...node.attrs } }));
      }
    }
    return picture;
  }

  setAbout(number: string, text: string): void {
    this.ctx.state.profiles.of(number).about = { text, t: Math.floor(Date.now() / 1000) };
  }

  /** Blocks or unblocks `number` for `phone`; every device of the phone gets account_sync (blocklist.update). */
  setBlocked(phone: Phone, number: string, block: boolean): void {
    if (block) phone.blocked.add(number);
    else phone.blocked.delete(number);
    const node = blocklistNotification(phone.jid, pnJid(number), block ? 'block' : 'unblock');
    for (const device of phone.devices.values()) this.relay.deliver(device, async () => ({ ...node, attrs: { ...node.attrs } }));
  }

  private getPicture(device: LinkedDevice, iq: BinaryNode, first: BinaryNode | undefined): BinaryNode {
    const target = iq.attrs.target ?? device.phone.jid;
    const key = target.endsWith('@g.us') ? target : this.ctx.state.numberOf(target);
    const picture = key ? this.ctx.state.profiles.find(key)?.picture : undefined;
    // a contact who blocked the asker hides its picture, as WhatsApp does (the asker cannot tell it apart from none)
    const hidden = key && !key.endsWith('@g.us') && this.ctx.state.phone(key)?.blocked.has(device.phone.number);
    if (!picture || hidden) return error(iq, 404, 'item-not-found');
    return result(iq, [pictureNode(picture, this.pictureUrl(picture), first?.attrs.type ?? 'preview')]);
  }

  private setPictureIq(device: LinkedDevice, iq: BinaryNode, first: BinaryNode | undefined): BinaryNode {
    const me = device.phone.number;
    const target = iq.attrs.target;
    let key = me;
    if (target && target.endsWith('@g.us')) {
      const group = this.ctx.state.groups.find(target);
      if (!group) return error(iq, 404, 'item-not-found');
      if (!group.has(me)) return error(iq, 403, 'forbidden');
      if (group.locked && !group.isAdmin(me)) return error(iq, 403, 'not-authorized');
      key = group.jid;
    } else if (target && this.ctx.state.numberOf(target) !== me) {
      return error(iq, 403, 'not-authorized'); // only your own picture or a group's
    }
    const jpeg = first?.tag === 'picture' ? bytesOf(first) : undefined;
    const picture = this.setPicture(key, jpeg, me, device);
    return result(iq, picture ? [{ tag: 'picture', attrs: { id: picture.id } }] : []);
  }
}

function jidNormal(jid: string): string {
  const decoded = jidDecode(jid);
  return decoded?.user ? `${decoded.user}@${decoded.server}` : jid;
}

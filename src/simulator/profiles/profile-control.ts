import { SimulatorError } from '../errors.js';
import type { SimulatorContext } from '../state/simulator-state.js';
import type { ProfileActions } from './profile-actions.js';
import type { BlocklistBody, ContactProfileBody } from './profile-schemas.js';
import { DEFAULT_ABOUT, sha256Hex, type BusinessProfile } from './profiles.js';

/** A profile as the control API shows it. */
export interface ProfileView {
  phone: string;
  kind: 'contact' | 'linked';
  /** The push name. */
  name: string;
  about: { text: string; t: number };
  picture: { id: string; url: string; sha256: string; size: number; author: string; t: number } | null;
  business: BusinessProfile | null;
  /** Privacy "who can add me to groups" (`invite`: adds answer 403 with an invite code). */
  groupAdd: 'everyone' | 'invite';
  /** Numbers a linked number blocked (always empty for contacts). */
  blocked: string[];
}

/** The control API's profile use cases: contacts editing their profiles, the phone's person blocking someone. */
export class ProfileControl {
  constructor(
    private readonly ctx: SimulatorContext,
    private readonly actions: ProfileActions,
  ) {}

  view(number: string): ProfileView {
    const contact = this.ctx.state.contacts.get(number);
    const phone = this.ctx.state.phone(number);
    if (!contact && !phone) throw new SimulatorError('account_not_found', 404, `${number} is neither a contact nor a linked number`);
    const profile = this.ctx.state.profiles.find(number);
    const picture = profile?.picture;
    return {
      phone: number,
      kind: contact ? 'contact' : 'linked',
      name: contact?.name ?? phone!.name,
      about: profile?.about ?? { text: DEFAULT_ABOUT, t: 0 },
      picture: picture
        ? { id: picture.id, url: this.actions.pictureUrl(picture), sha256: sha256Hex(picture.jpeg), size: picture.jpeg.length, author: picture.author, t: picture.t }
        : null,
      business: profile?.business ?? null,
      groupAdd: profile?.groupAdd ?? 'everyone',
      blocked: [...(phone?.blocked ?? [])],
    };
  }

  updateContact(number: string, body: ContactProfileBody): ProfileView {
    this.ctx.state.contact(number);
    if (body.about !== undefined) this.actions.setAbout(number, body.about);
    if (body.business !== undefined) this.ctx.state.profiles.of(number).business = body.business ?? undefined;
    if (body.groupAdd !== undefined) this.ctx.state.profiles.of(number).groupAdd = body.groupAdd;
    if (body.picture !== undefined) this.actions.setPicture(number, body.picture ? Buffer.from(body.picture.dataBase64, 'base64') : undefined, number);
    return this.view(number);
  }

  /** The person on the phone blocks or unblocks someone: the linked devices get blocklist.update. */
  block(number: string, body: BlocklistBody): { blocked: string[] } {
    const phone = this.ctx.state.phone(number);
    if (!phone) throw new SimulatorError('phone_not_found', 404, `no linked number ${number}`);
    this.actions.setBlocked(phone, body.contact, body.action === 'block');
    return { blocked: [...phone.blocked] };
  }
}

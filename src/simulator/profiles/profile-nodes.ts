import { generateMessageID, type BinaryNode } from '@whiskeysockets/baileys';
import type { BusinessProfile, Picture } from './profiles.js';

/** `<picture>` answering w:profile:picture get: Baileys' profilePictureUrl returns `url`. */
export const pictureNode = (picture: Picture, url: string, type: string): BinaryNode => ({
  tag: 'picture',
  attrs: { id: picture.id, type, url, direct_path: new URL(url).pathname },
});

/**
 * `notification{type: picture, from}` > `set{jid, id, author}` or `delete{jid}`: Baileys emits contacts.update
 * `{id: from, imgUrl: 'changed'|'removed'}`, and for a group also a GROUP_CHANGE_ICON stub (participant = author).
 */
export function pictureNotification(from: string, picture: Picture | undefined, author: string): BinaryNode {
  const child: BinaryNode = picture
    ? { tag: 'set', attrs: { jid: from, id: picture.id, author } }
    : { tag: 'delete', attrs: { jid: from, author } };
  return { tag: 'notification', attrs: { from, type: 'picture', id: generateMessageID(), t: String(Math.floor(Date.now() / 1000)) }, content: [child] };
}

/** `notification{type: account_sync} > blocklist > item{jid, action}`: Baileys emits blocklist.update. */
export const blocklistNotification = (to: string, jid: string, action: 'block' | 'unblock'): BinaryNode => ({
  tag: 'notification',
  attrs: { from: to, type: 'account_sync', id: generateMessageID(), t: String(Math.floor(Date.now() / 1000)) },
  content: [{ tag: 'blocklist', attrs: {}, content: [{ tag: 'item', attrs: { jid, action } }] }],
});

const text = (tag: string, value: string | undefined): BinaryNode[] => (value ? [{ tag, attrs: {}, content: Buffer.from(value) }] : []);

/** `business_profile > profile{jid}` as Baileys' getBusinessProfile parses it. */
export function businessProfileNode(jid: string, business: BusinessProfile): BinaryNode {
  const content: BinaryNode[] = [
    ...text('address', business.address),
    ...text('description', business.description),
    ...text('website', business.website),
    ...text('email', business.email),
  ];
  if (business.category) content.push({ tag: 'categories', attrs: {}, content: [{ tag: 'category', attrs: { id: '1' }, content: Buffer.from(business.category) }] });
  if (business.timezone || business.hours?.length) {
    content.push({
      tag: 'business_hours',
      attrs: { timezone: business.timezone ?? 'UTC' },
      content: (business.hours ?? []).map((h) => ({
        tag: 'business_hours_config',
        attrs: {
          day_of_week: h.day,
          mode: h.mode,
          ...(h.openTime !== undefined ? { open_time: String(h.openTime) } : {}),
          ...(h.closeTime !== undefined ? { close_time: String(h.closeTime) } : {}),
        },
      })),
    });
  }
  return { tag: 'business_profile', attrs: { v: '244' }, content: [{ tag: 'profile', attrs: { jid, tag: '0' }, content }] };
}

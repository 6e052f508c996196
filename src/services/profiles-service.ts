import type { Logger } from 'pino';
import type { ContactProfile, EngineControl, PresenceState } from '../engine/index.js';
import { AppError } from '../errors/app-error.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { ValidationError } from '../errors/validation-error.js';
import { UnsafeUrlError } from '../net/net-errors.js';
import type { HostLookup } from '../net/url-guard.js';
import type { InstanceRepository } from '../persistence/repositories/instance-repository.js';
import { fetchMedia, MediaFetchError } from './messages/media-fetcher.js';
import { assertMediaSize, resolveMediaMimetype, type MediaLimits } from './messages/media-rules.js';
import { InvalidRecipientError, normalizeRecipient, phoneDigits, type Recipient } from './messages/recipient.js';

/** What profiles need from the engine (EngineControl): socket operations routed to the owning node. */
export type ProfilesEngine = Pick<EngineControl, 'run'>;

export interface ProfilesServiceDeps {
  instances: Pick<InstanceRepository, 'findForTenant'>;
  engine: ProfilesEngine;
  /** The media limits (a picture is an image) and URL policy of send-media. */
  mediaLimits: MediaLimits;
  allowPrivateUrls: boolean;
  fetchTimeoutMs: number;
  lookup?: HostLookup;
  logger: Logger;
}

export interface ProfileView {
  phone: string;
  jid: string;
  pictureUrl: string | null;
  about: { text: string; setAt: string | null } | null;
  business: ContactProfile['business'];
}

/** A new picture: fetched from a URL (under the media URL guard) or uploaded; null removes it. */
export type PictureSource = { kind: 'url'; url: string } | { kind: 'upload'; data: Buffer; contentType: string | null } | null;

export interface ProfileChange {
  name?: string;
  about?: string;
  picture?: PictureSource;
}

/**
 * Presence (typing, recording, online), profiles (picture, about, business) and the blocklist of a tenant's
 * instance, through the engine's socket operations. Another tenant's instance is not found.
 */
export class ProfilesService {
  constructor(private readonly deps: ProfilesServiceDeps) {}

  /** Chat states go to `to` (a person or a group); available/unavailable are the number's own. */
  async sendPresence(tenantId: string, instanceId: string, input: { to: string; state: PresenceState }): Promise<{ to: string; state: PresenceState }> {
    await this.instanceOf(tenantId, instanceId);
    const to = recipient(input.to, 'to');
    await this.deps.engine.run(instanceId, 'presence', { jid: to.jid, state: input.state });
    return { to: to.jid, state: input.state };
  }

  /** From now on the contact's presence arrives as `presence.update` events (until the socket reconnects). */
  async subscribePresence(tenantId: string, instanceId: string, input: { to: string }): Promise<{ to: string; subscribed: true }> {
    await this.instanceOf(tenantId, instanceId);
    const to = recipient(input.to, 'to');
    if (to.kind === 'group') {
      throw new ValidationError('Presence is per person, not per group', [{ location: 'body', path: 'to', message: 'a phone number or a user JID', code: 'group_jid' }], 'INVALID_RECIPIENT');
    }
    await this.deps.engine.run(instanceId, 'presence-subscribe', { jid: to.jid });
    return { to: to.jid, subscribed: true };
  }

  async getProfile(tenantId: string, instanceId: string, phone: string): Promise<ProfileView> {
    await this.instanceOf(tenantId, instanceId);
    const digits = digitsOf(phone);
    return toView(digits, await this.deps.engine.run(instanceId, 'profile-get', { phone: digits }));
  }

  /** Sets the number's own name, about text and picture; answers its profile as contacts see it. */
  async updateProfile(tenantId: string, instanceId: string, change: ProfileChange): Promise<{ name: string | null; profile: ProfileView | null }> {
    const instance = await this.instanceOf(tenantId, instanceId);
    let picture: { dataBase64: string } | null | undefined;
    if (change.picture === null) picture = null;
    else if (change.picture) picture = { dataBase64: (await this.pictureBytes(change.picture)).toString('base64') };
    await this.deps.engine.run(instanceId, 'profile-update', {
      ...(change.name !== undefined ? { name: change.name } : {}),
      ...(change.about !== undefined ? { about: change.about } : {}),
      ...(picture !== undefined ? { picture } : {}),
    });
    this.deps.logger.info({ instanceId, tenantId, fields: Object.keys(change) }, 'own profile updated');
    const own = instance.phone ? instance.phone.replace(/\D/g, '') : null;
    const profile = own ? toView(own, await this.deps.engine.run(instanceId, 'profile-get', { phone: own })) : null;
    return { name: change.name ?? null, profile };
  }

  async setBlocked(tenantId: string, instanceId: string, phone: string, action: 'block' | 'unblock'): Promise<{ phone: string; blocked: boolean; blocklist: BlockedView[] }> {
    await this.instanceOf(tenantId, instanceId);
    const digits = digitsOf(phone);
    const list = await this.deps.engine.run(instanceId, 'block-update', { phone: digits, action });
    this.deps.logger.info({ instanceId, tenantId, action }, 'block status changed');
    return { phone: `+${digits}`, blocked: action === 'block', blocklist: list.map(blockedView) };
  }

  async blocklist(tenantId: string, instanceId: string): Promise<BlockedView[]> {
    await this.instanceOf(tenantId, instanceId);
    return (await this.deps.engine.run(instanceId, 'blocklist', {})).map(blockedView);
  }

  private async instanceOf(tenantId: string, instanceId: string) {
    const found = await this.deps.instances.findForTenant(instanceId, tenantId);
    if (!found) throw new NotFoundError('Instance not found');
    return found;
  }

  private async pictureBytes(source: Exclude<PictureSource, null>): Promise<Buffer> {
    const limits = this.deps.mediaLimits;
    if (source.kind === 'upload') {
      assertMediaSize('image', source.data.length, limits);
      resolveMediaMimetype({ mediaType: 'image', contentType: source.contentType, head: source.data.subarray(0, 16) });
      return source.data;
    }
    try {
      const fetched = await fetchMedia({
        url: source.url,
        mediaType: 'image',
        limits,
        allowPrivate: this.deps.allowPrivateUrls,
        timeoutMs: this.deps.fetchTimeoutMs,
        ...(this.deps.lookup ? { lookup: this.deps.lookup } : {}),
      });
      return fetched.data;
    } catch (err) {
      if (err instanceof UnsafeUrlError) {
        throw new ValidationError(err.message, [{ location: 'body', path: 'pictureUrl', message: err.message, code: err.code }], 'MEDIA_URL_NOT_ALLOWED');
      }
      if (err instanceof MediaFetchError) throw new AppError('PICTURE_FETCH_FAILED', 422, err.message);
      throw err; // too large / not an image: mapped in http/domain-errors.ts
    }
  }
}

export interface BlockedView {
  phone: string | null;
  jid: string;
}

function blockedView(jid: string): BlockedView {
  const user = jid.split('@')[0]?.split(':')[0] ?? '';
  return { jid, phone: jid.endsWith('@s.whatsapp.net') && /^\d+$/.test(user) ? `+${user}` : null };
}

function toView(digits: string, p: ContactProfile): ProfileView {
  return {
    phone: `+${digits}`,
    jid: p.jid,
    pictureUrl: p.pictureUrl,
    about: p.about ? { text: p.about.text, setAt: p.about.setAt ? new Date(p.about.setAt).toISOString() : null } : null,
    business: p.business,
  };
}

function recipient(to: string, field: string): Recipient {
  try {
    return normalizeRecipient(to);
  } catch (err) {
    if (err instanceof InvalidRecipientError) {
      throw new ValidationError(err.message, [{ location: 'body', path: field, message: err.message, code: err.reason }], 'INVALID_RECIPIENT');
    }
    throw err;
  }
}

function digitsOf(phone: string): string {
  try {
    return phoneDigits(phone);
  } catch (err) {
    if (err instanceof InvalidRecipientError) {
      throw new ValidationError(err.message, [{ location: 'params', path: 'phone', message: err.message, code: err.reason }], 'INVALID_PHONE');
    }
    throw err;
  }
}

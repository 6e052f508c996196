import type { Logger } from 'pino';
import type { GroupParticipantAction } from '../../engine/group-types.js';
import type { OperationPayload, OperationResult } from '../../engine/socket-operations.js';
import { AppError } from '../../errors/app-error.js';
import { NotFoundError } from '../../errors/not-found-error.js';
import { ValidationError } from '../../errors/validation-error.js';
import { UnsafeUrlError } from '../../net/net-errors.js';
import type { HostLookup } from '../../net/url-guard.js';
import { normalizePage, type PageRequest } from '../../persistence/pagination.js';
import type { ChatRepository } from '../../persistence/repositories/chat-repository.js';
import type { InstanceRepository } from '../../persistence/repositories/instance-repository.js';
import { fetchMedia, MediaFetchError } from '../messages/media-fetcher.js';
import { assertMediaSize, resolveMediaMimetype, type MediaLimits } from '../messages/media-rules.js';
import type { PageView } from '../messages/message-views.js';
import { InvalidRecipientError, normalizeRecipient } from '../messages/recipient.js';
import { toGroupView, toParticipantResultView, type GroupView, type ParticipantResultView } from './group-views.js';

/** The group operations of the engine, by name (EngineControl.run satisfies it): routed to the owning node. */
type GroupOperationName =
  | 'group-create'
  | 'group-list'
  | 'group-metadata'
  | 'group-update'
  | 'group-participants'
  | 'group-invite-code'
  | 'group-revoke-invite'
  | 'group-join'
  | 'group-leave'
  | 'group-picture'
  | 'group-set-picture';

export interface GroupsEngine {
  run<N extends GroupOperationName>(instanceId: string, name: N, payload: OperationPayload<N>): Promise<OperationResult<N>>;
}

export interface GroupsServiceDeps {
  instances: InstanceRepository;
  chats: ChatRepository;
  engine: GroupsEngine;
  /** For the group picture: the image limit and the URL guard of media sends. */
  limits: MediaLimits;
  allowPrivateUrls: boolean;
  mediaFetchTimeoutMs?: number;
  lookup?: HostLookup;
  logger: Logger;
}

export interface CreateGroupInput {
  subject: string;
  participants: string[];
  description?: string;
}

export interface UpdateGroupInput {
  subject?: string;
  description?: string | null;
  settings?: { announcement?: boolean; locked?: boolean };
}

export type GroupPictureSource = { kind: 'base64'; data: Buffer } | { kind: 'url'; url: string };

/**
 * Group management of one tenant's instances, through the engine (WhatsApp itself holds the groups): create, list,
 * metadata, subject/description/settings, participants, invite links, join, leave, picture. Another tenant's
 * instance is "not found"; WhatsApp's refusals (unknown group, not an admin...) map to HTTP in http/domain-errors.ts.
 */
export class GroupsService {
  private readonly log: Logger;

  constructor(private readonly deps: GroupsServiceDeps) {
    this.log = deps.logger.child({ component: 'groups' });
  }

  private async instanceOf(tenantId: string, instanceId: string): Promise<void> {
    const instance = await this.deps.instances.findForTenant(instanceId, tenantId);
    if (!instance) throw new NotFoundError('Instance not found');
  }

  /** Phones in any writing, user JIDs or LIDs → the JIDs WhatsApp takes; groups and bad values are a 400 naming each. */
  private participantJids(values: string[]): string[] {
    const issues: Array<{ location: string; path: string; message: string; code: string }> = [];
    const jids = values.map((value, i) => {
      try {
        const recipient = normalizeRecipient(value);
        if (recipient.kind === 'group') {
          issues.push({ location: 'body', path: `participants.${i}`, message: 'a participant is a phone number or a user JID, not a group', code: 'invalid_jid' });
        }
        return recipient.jid;
      } catch (err) {
        if (!(err instanceof InvalidRecipientError)) throw err;
        issues.push({ location: 'body', path: `participants.${i}`, message: err.message, code: err.reason });
        return '';
      }
    });
    if (issues.length > 0) throw new ValidationError('Invalid participants', issues, 'INVALID_PARTICIPANT');
    return [...new Set(jids)];
  }

  async create(tenantId: string, instanceId: string, input: CreateGroupInput): Promise<GroupView> {
    await this.instanceOf(tenantId, instanceId);
    const participants = this.participantJids(input.participants);
    const group = await this.deps.engine.run(instanceId, 'group-create', {
      subject: input.subject,
      participants,
      ...(input.description ? { description: input.description } : {}),
    });
    this.log.info({ instanceId, group: group.id, size: group.size }, 'group created');
    return toGroupView(group);
  }

  /** The groups the number is in, from WhatsApp, by subject; the chat list learns their subjects on the way. */
  async list(tenantId: string, instanceId: string, request: PageRequest): Promise<PageView<GroupView>> {
    await this.instanceOf(tenantId, instanceId);
    const groups = await this.deps.engine.run(instanceId, 'group-list', {});
    if (groups.length > 0) {
      await this.deps.chats.upsertMany(instanceId, groups.map((g) => ({ jid: g.id, name: g.subject, isGroup: true })));
    }
    groups.sort((a, b) => a.subject.localeCompare(b.subject) || a.id.localeCompare(b.id));
    const { page, pageSize } = normalizePage(request);
    return {
      items: groups.slice((page - 1) * pageSize, page * pageSize).map(toGroupView),
      total: groups.length,
      page,
      pageSize,
      totalPages: Math.ceil(groups.length / pageSize),
    };
  }

  async get(tenantId: string, instanceId: string, jid: string): Promise<GroupView> {
    await this.instanceOf(tenantId, instanceId);
    return toGroupView(await this.deps.engine.run(instanceId, 'group-metadata', { jid }));
  }

  async update(tenantId: string, instanceId: string, jid: string, input: UpdateGroupInput): Promise<GroupView> {
    await this.instanceOf(tenantId, instanceId);
    const group = await this.deps.engine.run(instanceId, 'group-update', {
      jid,
      ...(input.subject !== undefined ? { subject: input.subject } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.settings?.announcement !== undefined ? { announcement: input.settings.announcement } : {}),
      ...(input.settings?.locked !== undefined ? { locked: input.settings.locked } : {}),
    });
    return toGroupView(group);
  }

  async participants(
    tenantId: string,
    instanceId: string,
    jid: string,
    action: GroupParticipantAction,
    values: string[],
  ): Promise<{ jid: string; action: GroupParticipantAction; results: ParticipantResultView[] }> {
    await this.instanceOf(tenantId, instanceId);
    const participants = this.participantJids(values);
    const results = await this.deps.engine.run(instanceId, 'group-participants', { jid, action, participants });
    return { jid, action, results: results.map((r) => toParticipantResultView(action, r)) };
  }

  async inviteCode(tenantId: string, instanceId: string, jid: string): Promise<{ jid: string; inviteCode: string; inviteUrl: string }> {
    await this.instanceOf(tenantId, instanceId);
    const code = await this.deps.engine.run(instanceId, 'group-invite-code', { jid });
    return { jid, inviteCode: code, inviteUrl: `https://chat.whatsapp.com/${code}` };
  }

  async revokeInvite(tenantId: string, instanceId: string, jid: string): Promise<{ jid: string; inviteCode: string; inviteUrl: string }> {
    await this.instanceOf(tenantId, instanceId);
    const code = await this.deps.engine.run(instanceId, 'group-revoke-invite', { jid });
    return { jid, inviteCode: code, inviteUrl: `https://chat.whatsapp.com/${code}` };
  }

  async join(tenantId: string, instanceId: string, inviteCode: string): Promise<GroupView> {
    await this.instanceOf(tenantId, instanceId);
    return toGroupView(await this.deps.engine.run(instanceId, 'group-join', { code: inviteCode }));
  }

  async leave(tenantId: string, instanceId: string, jid: string): Promise<{ jid: string; left: true }> {
    await this.instanceOf(tenantId, instanceId);
    await this.deps.engine.run(instanceId, 'group-leave', { jid });
    // Baileys marks the chat read-only when the number leaves; so does the chat list.
    await this.deps.chats.upsertMany(instanceId, [{ jid, isGroup: true, readOnly: true }]);
    return { jid, left: true };
  }

  async picture(tenantId: string, instanceId: string, jid: string): Promise<{ jid: string; url: string | null }> {
    await this.instanceOf(tenantId, instanceId);
    const { url } = await this.deps.engine.run(instanceId, 'group-picture', { jid });
    return { jid, url };
  }

  async setPicture(tenantId: string, instanceId: string, jid: string, source: GroupPictureSource): Promise<{ jid: string; url: string | null }> {
    await this.instanceOf(tenantId, instanceId);
    const image = await this.imageOf(source);
    const { url } = await this.deps.engine.run(instanceId, 'group-set-picture', { jid, imageBase64: image.toString('base64') });
    return { jid, url };
  }

  /** The picture's bytes: JPEG, PNG or WebP under the image limit; a URL under the same guard as media sends. */
  private async imageOf(source: GroupPictureSource): Promise<Buffer> {
    if (source.kind === 'base64') {
      assertMediaSize('image', source.data.length, this.deps.limits);
      resolveMediaMimetype({ mediaType: 'image', contentType: null, head: source.data.subarray(0, 64) });
      return source.data;
    }
    try {
      const fetched = await fetchMedia({
        url: source.url,
        mediaType: 'image',
        limits: this.deps.limits,
        allowPrivate: this.deps.allowPrivateUrls,
        ...(this.deps.mediaFetchTimeoutMs ? { timeoutMs: this.deps.mediaFetchTimeoutMs } : {}),
        ...(this.deps.lookup ? { lookup: this.deps.lookup } : {}),
      });
      return fetched.data;
    } catch (err) {
      if (err instanceof UnsafeUrlError) {
        throw new ValidationError(err.message, [{ location: 'body', path: 'imageUrl', message: err.message, code: err.code }], 'MEDIA_URL_NOT_ALLOWED');
      }
      if (err instanceof MediaFetchError) throw new AppError('MEDIA_FETCH_FAILED', 422, err.message);
      throw err;
    }
  }
}

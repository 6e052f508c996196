import type { Logger } from 'pino';
import { ConflictError } from '../../errors/conflict-error.js';
import { NotFoundError } from '../../errors/not-found-error.js';
import { ServiceUnavailableError } from '../../errors/service-unavailable-error.js';
import type { InstanceEntity } from '../../persistence/entities/instance.entity.js';
import { isUniqueViolation } from '../../persistence/is-unique-violation.js';
import type { ChatRepository } from '../../persistence/repositories/chat-repository.js';
import type { ContactRepository } from '../../persistence/repositories/contact-repository.js';
import type { ZapiInstanceRef, InstanceRepository } from '../../persistence/repositories/instance-repository.js';

/** How the Z-API surface names an instance (its uuid or numeric id); re-exported for the HTTP schemas. */
export type { ZapiInstanceRef };
/** The largest page the repositories serve; re-exported for the HTTP schemas. */
export { MAX_PAGE_SIZE } from '../../persistence/pagination.js';
import type { MessageRepository } from '../../persistence/repositories/message-repository.js';
import type { InstancesService } from '../instances-service.js';
import type { MediaKind } from '../messages/media-rules.js';
import type { ZapiPorts, ZapiUploadedFile } from './zapi-ports.js';
import { zapiRecipient } from './zapi-recipient.js';
import {
  toZapiChat,
  toZapiContact,
  toZapiInstance,
  toZapiInstanceListItem,
  toZapiLinkStatus,
  toZapiMessage,
  toZapiSendResponse,
  type ZapiChat,
  type ZapiContact,
  type ZapiInstanceListItem,
  type ZapiInstanceView,
  type ZapiLinkStatus,
  type ZapiMessage,
  type ZapiSendResponse,
} from './zapi-views.js';

/** The caller, as the compat authentication resolved it. */
export interface ZapiScope {
  tenantId: string;
  systemId: number;
}

export interface ZapiPageRequest {
  page: number;
  pageSize?: number;
}

export interface ZapiSendTextInput {
  instance: ZapiInstanceRef;
  phone: string;
  message: string;
  isGroup: boolean;
}

export interface ZapiSendMediaInput {
  instance: ZapiInstanceRef;
  phone: string;
  isGroup: boolean;
  chatName: string | null;
  caption: string | null;
  mediaType: MediaKind;
  file: ZapiUploadedFile;
}

export interface ZapiServiceDeps {
  instancesService: InstancesService;
  instances: InstanceRepository;
  contacts: ContactRepository;
  chats: ChatRepository;
  messages: MessageRepository;
  ports?: ZapiPorts;
  logger: Logger;
}

/** Which routes can be served: those whose port is present. */
export interface ZapiCapabilities {
  qr: boolean;
  disconnect: boolean;
  send: boolean;
}

const notFound = () => new NotFoundError('Instance not found');
const missingPort = (what: string) => new ServiceUnavailableError(`${what} is not available on this server`);

/**
 * The Z-API-INSTANCE API v1.0.4 over our model. Instances go through InstancesService (plan limits, engine
 * lifecycle); reads go through the repositories; what needs the engine or the send pipeline goes through ports.
 * Another tenant's instance is a 404, as everywhere.
 */
export class ZapiService {
  constructor(private readonly deps: ZapiServiceDeps) {}

  capabilities(): ZapiCapabilities {
    const ports = this.deps.ports ?? {};
    return { qr: ports.qr !== undefined, disconnect: ports.disconnect !== undefined, send: ports.send !== undefined };
  }

  /**
   * `instance_token` and `client_token` are secrets of the client's old provider, which we never call: the route
   * validates that they are present (old clients send them) and they are dropped here, never stored or logged.
   */
  async createInstance(
    scope: ZapiScope,
    input: { tag: string; descricao: string; instanceId: string },
  ): Promise<ZapiInstanceView> {
    let created;
    try {
      created = await this.deps.instancesService.create(
        scope.tenantId,
        { name: input.tag },
        { tag: input.tag, description: input.descricao, externalInstanceId: input.instanceId },
      );
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new ConflictError(`An instance with tag "${input.tag}" already exists`, { field: 'tag' }, 'TAG_TAKEN');
      }
      throw err;
    }
    const row = await this.deps.instances.findForTenant(created.instanceId, scope.tenantId);
    if (!row) throw notFound(); // deleted in between
    return toZapiInstance(row, scope.systemId);
  }

  async listInstances(scope: ZapiScope): Promise<{ data: ZapiInstanceListItem[] }> {
    return { data: (await this.deps.instances.listByTenant(scope.tenantId)).map(toZapiInstanceListItem) };
  }

  async getInstance(scope: ZapiScope, ref: ZapiInstanceRef): Promise<ZapiInstanceView> {
    return toZapiInstance(await this.instance(scope, ref), scope.systemId);
  }

  /** Through InstancesService.remove, so the engine logs the device out first. */
  async removeInstance(scope: ZapiScope, ref: ZapiInstanceRef): Promise<void> {
    const found = await this.instance(scope, ref);
    await this.deps.instancesService.remove(scope.tenantId, found.id);
  }

  async listContacts(scope: ZapiScope, ref: ZapiInstanceRef, page: ZapiPageRequest): Promise<ZapiContact[]> {
    const found = await this.instance(scope, ref);
    return (await this.deps.contacts.list(found.id, {}, page)).items.map(toZapiContact);
  }

  /** Messages with one contact (or group), newest first. */
  async listConversation(
    scope: ZapiScope,
    ref: ZapiInstanceRef,
    contato: string,
    page: ZapiPageRequest,
  ): Promise<ZapiMessage[]> {
    const found = await this.instance(scope, ref);
    const { jid } = zapiRecipient(contato, { field: 'contato', location: 'params' });
    return (await this.deps.messages.listByChat(found.id, jid, page)).items.map(toZapiMessage);
  }

  /** Pinned first, then the most recent conversation first. */
  async listChats(scope: ZapiScope, ref: ZapiInstanceRef, page: ZapiPageRequest): Promise<ZapiChat[]> {
    const found = await this.instance(scope, ref);
    const now = new Date();
    return (await this.deps.chats.list(found.id, {}, page)).items.map((c) => toZapiChat(c, now));
  }

  async linkStatus(scope: ZapiScope, ref: ZapiInstanceRef): Promise<ZapiLinkStatus> {
    return toZapiLinkStatus(await this.instance(scope, ref));
  }

  async qrCode(scope: ZapiScope, ref: ZapiInstanceRef): Promise<{ value: string }> {
    const port = this.deps.ports?.qr;
    if (!port) throw missingPort('The QR code');
    const found = await this.instance(scope, ref);
    const qr = await port.currentQr({ tenantId: scope.tenantId, instanceId: found.id });
    switch (qr.state) {
      case 'qr':
        return { value: qr.pngDataUrl };
      case 'connected':
        throw new ConflictError('The instance is already connected', undefined, 'ALREADY_CONNECTED');
      case 'unavailable':
        throw new ConflictError(`No QR code available: ${qr.reason}`, undefined, 'QR_UNAVAILABLE');
    }
  }

  async disconnect(scope: ZapiScope, ref: ZapiInstanceRef): Promise<{ value: true }> {
    const port = this.deps.ports?.disconnect;
    if (!port) throw missingPort('Disconnecting');
    const found = await this.instance(scope, ref);
    await port.disconnect({ tenantId: scope.tenantId, instanceId: found.id });
    this.deps.logger.info({ instanceId: found.id, tenantId: scope.tenantId }, 'instance disconnected (compat)');
    return { value: true };
  }

  async sendText(scope: ZapiScope, input: ZapiSendTextInput): Promise<ZapiSendResponse> {
    const port = this.deps.ports?.send;
    if (!port) throw missingPort('Sending');
    const found = await this.instance(scope, input.instance);
    const recipient = zapiRecipient(input.phone, { isGroup: input.isGroup, field: 'phone', location: 'body' });
    const accepted = await port.sendText({ tenantId: scope.tenantId, instanceId: found.id, to: recipient.jid, text: input.message });
    return toZapiSendResponse({
      systemId: scope.systemId,
      instance: found,
      phone: input.phone.trim(),
      isGroup: recipient.kind === 'group',
      chatName: null,
      accepted,
      content: { kind: 'text', text: input.message },
    });
  }

  async sendMedia(scope: ZapiScope, input: ZapiSendMediaInput): Promise<ZapiSendResponse> {
    const port = this.deps.ports?.send;
    if (!port) throw missingPort('Sending');
    const found = await this.instance(scope, input.instance);
    const recipient = zapiRecipient(input.phone, { isGroup: input.isGroup, field: 'phone', location: 'body' });
    const accepted = await port.sendMedia({
      tenantId: scope.tenantId,
      instanceId: found.id,
      to: recipient.jid,
      mediaType: input.mediaType,
      file: input.file,
      caption: input.caption,
    });
    return toZapiSendResponse({
      systemId: scope.systemId,
      instance: found,
      phone: input.phone.trim(),
      isGroup: recipient.kind === 'group',
      chatName: input.chatName,
      accepted,
      content: { kind: 'media', mediaType: input.mediaType, fileName: input.file.fileName },
    });
  }

  /** Throws the compat 404 unless the caller's tenant owns the instance (checked before an upload's file is read). */
  async assertInstance(scope: ZapiScope, ref: ZapiInstanceRef): Promise<void> {
    await this.instance(scope, ref);
  }

  private async instance(scope: ZapiScope, ref: ZapiInstanceRef): Promise<InstanceEntity> {
    const found = await this.deps.instances.findForTenantByZapiRef(ref, scope.tenantId);
    if (!found) throw notFound();
    return found;
  }
}

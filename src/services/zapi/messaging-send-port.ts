import type { InstanceRepository } from '../../persistence/repositories/instance-repository.js';
import type { MessagingService } from '../messages/messaging-service.js';
import type { ZapiSendPort } from './zapi-ports.js';

/** The Z-API surface's sends go through the same path as `POST /whatsapp/instances/{id}/send-*`. */
export function messagingZapiSend(service: MessagingService, instances: Pick<InstanceRepository, 'findById'>): ZapiSendPort {
  return {
    sendText: async (input) => {
      const instance = await instances.findById(input.instanceId);
      if (!instance) throw new Error(`instance ${input.instanceId} not found`);
      const accepted = await service.sendText(input.tenantId, input.instanceId, { to: input.to, message: input.text });
      if (!accepted.message) throw new Error('send-text did not create a message');
      return accepted.message;
    },
    sendMedia: async (input) => {
      const accepted = await service.sendMedia(
        input.tenantId,
        input.instanceId,
        { to: input.to, mediaType: input.mediaType, ...(input.caption !== null ? { caption: input.caption } : {}), fileName: input.file.fileName },
        { kind: 'upload', file: input.file.staged, contentType: input.file.mimetype, originalName: input.file.fileName },
      );
      if (!accepted.message) throw new Error('send-media did not create a message');
      return accepted.message;
    },
  };
}

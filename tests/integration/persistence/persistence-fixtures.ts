import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { InstanceEntity as InstanceEntityClass, type InstanceEntity } from '../../../src/persistence/entities/instance.entity.js';
import type { MessageEntity } from '../../../src/persistence/entities/message.entity.js';
import { InstanceRepository, type NewInstance } from '../../../src/persistence/repositories/instance-repository.js';
import { newMessageId, type NewOutgoingMessage, type NewStoredMessage } from '../../../src/persistence/repositories/message-inputs.js';
import type { MessageRepository } from '../../../src/persistence/repositories/message-repository.js';
import { TenantRepository } from '../../../src/persistence/repositories/tenant-repository.js';
import type { Tx } from '../../../src/persistence/transaction-runner.js';

/** A tenant on the enterprise plan with one instance; `overrides` set webhook fields. */
export async function makeInstance(
  ds: DataSource,
  overrides: Partial<Pick<NewInstance, 'webhookUrl' | 'webhookEvents' | 'name'>> = {},
): Promise<InstanceEntity> {
  const { tenant } = await new TenantRepository(ds).createWithUser(
    { name: 'Acme', plan: 'enterprise' },
    { email: `p-${randomBytes(5).toString('hex')}@example.com`, passwordHash: 'x', role: 'owner' },
  );
  return new InstanceRepository(ds).createLocked(
    {
      id: `inst_${randomBytes(12).toString('base64url')}`,
      tenantId: tenant.id,
      name: overrides.name ?? 'Atendimento',
      webhookUrl: overrides.webhookUrl ?? null,
      webhookEvents: overrides.webhookEvents ?? null,
    },
    () => undefined,
  );
}

/** A WhatsApp-looking message id (what Baileys generates: 3EB0 + hex). */
export function waId(): string {
  return `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;
}

/** An inbound text message from a contact. */
export function inbound(instanceId: string, overrides: Partial<NewStoredMessage> = {}): NewStoredMessage {
  return {
    id: newMessageId(),
    instanceId,
    waMessageId: waId(),
    chatJid: '5511999999999@s.whatsapp.net',
    fromMe: false,
    senderJid: '5511999999999@s.whatsapp.net',
    pushName: 'João Silva',
    type: 'text',
    text: 'Olá!',
    messageTimestamp: new Date('2024-01-05T12:13:09Z'),
    raw: { key: { remoteJid: '5511999999999@s.whatsapp.net', fromMe: false }, message: { conversation: 'Olá!' } },
    ...overrides,
  };
}

/** Runs `fn` n times at once. */
export function inParallel<T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_v, i) => fn(i)));
}

/** A message accepted for sending (queued) as the API accepts it: acceptOutgoing with the instance's own tenant. */
export async function queueOutgoing(
  ds: DataSource,
  messages: MessageRepository,
  input: NewOutgoingMessage,
  tx?: Tx,
): Promise<MessageEntity> {
  const instance = await ds.getRepository(InstanceEntityClass).findOneByOrFail({ id: input.instanceId });
  const accepted = await messages.acceptOutgoing(instance.tenantId, input, tx);
  if (!accepted) throw new Error(`instance ${input.instanceId} not found`);
  return accepted;
}

import { NotFoundError } from '../../errors/not-found-error.js';
import { ValidationError } from '../../errors/validation-error.js';
import type { LidMappingEntity } from '../../persistence/entities/lid-mapping.entity.js';
import type { ContactRepository } from '../../persistence/repositories/contact-repository.js';
import type { InstanceRepository } from '../../persistence/repositories/instance-repository.js';
import type { LidMappingRepository } from '../../persistence/repositories/lid-mapping-repository.js';
import { InvalidRecipientError, normalizeRecipient } from './recipient.js';
import { phoneOfPn } from './lid-directory.js';

export interface LidMappingView {
  lid: string;
  /** The phone JID. */
  jid: string;
  /** `+<digits>`. */
  phone: string;
  /** How the contact's last one-to-one message was addressed (`lid` or `pn`); null when none arrived. */
  addressing: 'pn' | 'lid' | null;
  /** Where the pair was learnt last (lid-mapping.update, message, group-message, history, contact, signal-store). */
  source: string;
  /** The contact's names, when we have the contact. */
  contact: { name: string | null; pushName: string | null } | null;
  learntAt: string;
  updatedAt: string;
}

/** `GET …/lids/{lid}` and `GET …/lids?phone=`: an instance's LID ↔ phone pairs. */
export class LidLookup {
  constructor(private readonly deps: { instances: InstanceRepository; mappings: LidMappingRepository; contacts: ContactRepository }) {}

  async byLid(tenantId: string, instanceId: string, lid: string): Promise<LidMappingView> {
    await this.instanceOf(tenantId, instanceId);
    const jid = lid.includes('@') ? lid : `${lid}@lid`;
    return this.view(await this.deps.mappings.findByLid(instanceId, jid));
  }

  async byPhone(tenantId: string, instanceId: string, phone: string): Promise<LidMappingView> {
    let pn: string;
    try {
      const recipient = normalizeRecipient(phone);
      if (recipient.kind !== 'user') throw new InvalidRecipientError('invalid_jid', 'a phone number or a phone JID', phone);
      pn = recipient.jid;
    } catch (err) {
      if (err instanceof InvalidRecipientError) {
        throw new ValidationError(err.message, [{ location: 'query', path: 'phone', message: err.message, code: err.reason }], 'INVALID_PHONE');
      }
      throw err;
    }
    await this.instanceOf(tenantId, instanceId);
    return this.view(await this.deps.mappings.findByPn(instanceId, pn));
  }

  private async instanceOf(tenantId: string, instanceId: string): Promise<void> {
    if (!(await this.deps.instances.findForTenant(instanceId, tenantId))) throw new NotFoundError('Instance not found');
  }

  private async view(mapping: LidMappingEntity | null): Promise<LidMappingView> {
    if (!mapping) throw new NotFoundError('No LID ↔ phone pair known for this instance', undefined, 'LID_NOT_FOUND');
    const contact = await this.deps.contacts.find(mapping.instanceId, mapping.pn);
    return {
      lid: mapping.lid,
      jid: mapping.pn,
      phone: phoneOfPn(mapping.pn),
      addressing: mapping.addressing,
      source: mapping.source,
      contact: contact ? { name: contact.name, pushName: contact.notify } : null,
      learntAt: mapping.createdAt.toISOString(),
      updatedAt: mapping.updatedAt.toISOString(),
    };
  }
}

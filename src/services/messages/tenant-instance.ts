import { NotFoundError } from '../../errors/not-found-error.js';
import type { InstanceRepository } from '../../persistence/repositories/instance-repository.js';

/** The tenant's instance; another tenant's (or a missing) one is "not found". */
export async function instanceOfTenant(instances: Pick<InstanceRepository, 'findForTenant'>, tenantId: string, instanceId: string) {
  const instance = await instances.findForTenant(instanceId, tenantId);
  if (!instance) throw new NotFoundError('Instance not found');
  return instance;
}

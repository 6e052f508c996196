import type { StatusChange } from '../../engine/engine-types.js';
import type { InstanceSendWorkers } from '../../queues/instance-send-workers.js';
import type { LidDirectory } from './lid-directory.js';

/**
 * What an instance's status change means for its send pipeline: logged out or banned fails its pending messages
 * (they can never go); any other status comes from the node that owns the instance, so its worker starts here.
 * Any status change also drops the send targets this node cached for the instance (its socket may have run on
 * another node, which learnt LID pairs meanwhile).
 */
export function sendPipelineOnStatus(sendWorkers: InstanceSendWorkers, lids?: LidDirectory) {
  return async (instanceId: string, change: StatusChange): Promise<void> => {
    lids?.forgetSendTargets(instanceId);
    if (change.status === 'disconnected' && change.reason === 'logged_out') {
      await sendWorkers.failPending(instanceId, 'instance_disconnected');
    } else if (change.status === 'banned') {
      await sendWorkers.failPending(instanceId, 'instance_banned');
    } else {
      await sendWorkers.ensure(instanceId);
    }
  };
}

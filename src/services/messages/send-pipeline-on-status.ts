import type { StatusChange } from '../../engine/engine-types.js';
import type { InstanceSendWorkers } from '../../queues/instance-send-workers.js';

/**
 * What an instance's status change means for its send pipeline: logged out or banned fails its pending messages
 * (they can never go); any other status comes from the node that owns the instance, so its worker starts here.
 */
export function sendPipelineOnStatus(sendWorkers: InstanceSendWorkers) {
  return async (instanceId: string, change: StatusChange): Promise<void> => {
    if (change.status === 'disconnected' && change.reason === 'logged_out') {
      await sendWorkers.failPending(instanceId, 'instance_disconnected');
    } else if (change.status === 'banned') {
      await sendWorkers.failPending(instanceId, 'instance_banned');
    } else {
      await sendWorkers.ensure(instanceId);
    }
  };
}

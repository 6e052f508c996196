import type { HostLookup } from '../../net/url-guard.js';
import type { InstanceWebhookSettings } from '../instances-service.js';
import { WebhookSecrets } from './webhook-secrets.js';
import { webhookUrlPolicy } from './webhook-url-policy.js';

/** What InstancesService gets from the webhooks feature: the URL policy and sealed per-instance secrets. */
export function instanceWebhookSettings(options: {
  encryptionKey: Buffer;
  allowPrivateUrls: boolean;
  lookup?: HostLookup;
}): InstanceWebhookSettings {
  const secrets = new WebhookSecrets(options.encryptionKey);
  return {
    checkUrl: webhookUrlPolicy({ allowPrivate: options.allowPrivateUrls, lookup: options.lookup }),
    create: (instanceId) => secrets.create(instanceId),
    open: (instanceId, sealed) => secrets.open(instanceId, sealed),
  };
}

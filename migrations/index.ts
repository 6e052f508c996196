import { InitialSchema1763784000000 } from './1763784000000-initial-schema.js';
import { MessagingAndWebhooks1763794800000 } from './1763794800000-messaging-and-webhooks.js';
import { ZapiCompat1763805600000 } from './1763805600000-zapi-compat.js';
import { MessageKindsAndLids1764920000000 } from './1764920000000-message-kinds-and-lids.js';
import { PollVotes1764930000000 } from './1764930000000-poll-votes.js';
import { WebhookAttemptLog1764970000000 } from './1764970000000-webhook-attempt-log.js';

/**
 * Every migration, in order. The data source takes this array (not a glob: under Jest's ESM mode
 * TypeORM cannot import .ts files by path). Add new migrations at the end.
 */
export const migrations = [
  InitialSchema1763784000000,
  MessagingAndWebhooks1763794800000,
  ZapiCompat1763805600000,
  MessageKindsAndLids1764920000000,
  PollVotes1764930000000,
  WebhookAttemptLog1764970000000,
];

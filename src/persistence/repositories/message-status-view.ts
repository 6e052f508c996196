import type { EntityManager } from 'typeorm';
import { MessageEntity } from '../entities/message.entity.js';

/**
 * What a status move returns of the message: who it is and where its status stands, not the whole row. A send
 * moves its message once or twice (sent, then delivered and read from receipts), and the whole row (text, raw
 * payload, media, quoted...) read back and parsed each time cost the send path more than the move itself.
 */
export const STATUS_VIEW_FIELDS = [
  'id',
  'instanceId',
  'waMessageId',
  'chatJid',
  'fromMe',
  'status',
  'sentAt',
  'deliveredAt',
  'readAt',
  'playedAt',
  'failedAt',
  'error',
  'errorCode',
] as const satisfies ReadonlyArray<keyof MessageEntity>;

export type MessageStatusView = Pick<MessageEntity, (typeof STATUS_VIEW_FIELDS)[number]>;

const FIELDS: ReadonlySet<string> = new Set(STATUS_VIEW_FIELDS);

/**
 * `<alias>."db_name" AS "propertyName", ...` for the view's columns; `aliasOf` picks the alias per column (the
 * batched statement takes the moved columns from the move's own state). The rows come back keyed by property name,
 * as they are: no view column may have a transformer (checked here, where the statement is built).
 */
export function statusViewColumns(em: EntityManager, aliasOf: (databaseName: string) => string): string {
  return em.connection
    .getMetadata(MessageEntity)
    .columns.filter((c) => FIELDS.has(c.propertyName))
    .map((c) => {
      if (c.transformer) throw new Error(`status view: column ${c.propertyName} has a transformer`);
      return `${aliasOf(c.databaseName)}."${c.databaseName}" AS "${c.propertyName}"`;
    })
    .join(', ');
}

/** The view from a row selected with `statusViewColumns`. */
export function readStatusView(row: Record<string, unknown>): MessageStatusView {
  const view: Record<string, unknown> = {};
  for (const field of STATUS_VIEW_FIELDS) view[field] = row[field];
  return view as unknown as MessageStatusView;
}

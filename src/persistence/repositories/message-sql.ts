import { MESSAGE_STATUSES, type MessageStatus } from '../entities/message.entity.js';
import type { MessageRef } from './message-inputs.js';

/** Statuses in their forward order, as a Postgres array for `array_position`. */
export const RANKS = `ARRAY[${MESSAGE_STATUSES.map((s) => `'${s}'`).join(', ')}]::text[]`;

export function refWhere(ref: MessageRef, param: number): string {
  return 'id' in ref ? `"id" = $${param}` : `"wa_message_id" = $${param}`;
}
export const refValue = (ref: MessageRef) => ('id' in ref ? ref.id : ref.waMessageId);

/** The forward-only status UPDATE (no RETURNING): $1 instance, $2 ref, $3 status, $4 at, $5 error, $6 error code. */
export function statusUpdateSql(ref: MessageRef): string {
  const implied = (step: MessageStatus, column: string) =>
    `"${column}" = CASE WHEN array_position(${RANKS}, $3::text) >= array_position(${RANKS}, '${step}')
       THEN COALESCE("${column}", $4::timestamptz) ELSE "${column}" END`;
  return `UPDATE "messages" SET
       "status" = $3::text,
       ${implied('sent', 'sent_at')}, ${implied('delivered', 'delivered_at')},
       ${implied('read', 'read_at')}, ${implied('played', 'played_at')},
       "failed_at" = CASE WHEN $3::text = 'failed' THEN $4::timestamptz ELSE "failed_at" END,
       "error" = CASE WHEN $3::text = 'failed' THEN $5::text END,
       "error_code" = CASE WHEN $3::text = 'failed' THEN $6::text END,
       "updated_at" = now()
     WHERE "instance_id" = $1 AND ${refWhere(ref, 2)}
       AND array_position(${RANKS}, "status") < array_position(${RANKS}, $3::text)`;
}

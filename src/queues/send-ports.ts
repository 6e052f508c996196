import type { SendJobPayload } from './job-payloads.js';

/** Sends one message through the instance's WhatsApp connection. Implemented by the services layer over the engine. */
export interface MessageSender {
  /**
   * Sends `job` with `job.waMessageId` as the WhatsApp message id (must be idempotent by it: a retry after a crash
   * must not produce a second message). `attempt.first` is true when the job was never started before (not taken
   * again after a crash, not retried), so it cannot have gone out yet and the sender may skip checking that.
   * Throws NotConnectedError, PermanentSendError, or anything else (transient).
   */
  send(job: SendJobPayload, attempt: { first: boolean }): Promise<{ waMessageId: string }>;
}

/** Why a message failed: a fixed code, or a PermanentSendError's reason. */
export type SendFailureReason =
  | 'instance_not_connected'
  | 'invalid_payload'
  | 'send_failed'
  | 'instance_disconnected'
  | 'instance_deleted'
  | (string & {});

export interface SendFailure {
  reason: SendFailureReason;
  /** Human-readable detail (the last error's message). */
  message: string;
}

/** Records what happened to a message (the message row). Implemented by the services layer. */
export interface SendStatusSink {
  onSent(job: SendJobPayload, result: { waMessageId: string }): Promise<void>;
  onFailed(ref: { instanceId: string; messageId: string }, failure: SendFailure): Promise<void>;
}

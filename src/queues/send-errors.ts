/**
 * Errors a MessageSender throws to steer the send worker. Anything else it throws counts as transient: the job is
 * retried with backoff, keeping its place at the head of the instance's queue.
 */

/** The instance has no open WhatsApp connection: the job waits (re-checking) up to the configured time. */
export class NotConnectedError extends Error {
  readonly code = 'instance_not_connected';
  constructor(readonly instanceId: string) {
    super(`instance ${instanceId} is not connected`);
    this.name = new.target.name;
  }
}

/** Retrying cannot help (number not on WhatsApp, media too large, wrong type...): the message fails at once. */
export class PermanentSendError extends Error {
  readonly code = 'permanent_send_error';
  /** A stable, snake_case reason stored on the message (`number_not_on_whatsapp`, `media_too_large`...). */
  constructor(readonly reason: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * True for our NotConnectedError and for any error carrying `code: 'instance_not_connected'` (the engine's own
 * NotConnectedError has that code), so an adapter can let engine errors through unchanged.
 */
export function isNotConnectedError(err: unknown): boolean {
  return err instanceof NotConnectedError || (err instanceof Error && (err as { code?: unknown }).code === 'instance_not_connected');
}

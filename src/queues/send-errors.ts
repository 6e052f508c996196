/**
 * Errors a MessageSender throws to steer the send worker, with the engine's NotConnectedError (see
 * isNotConnectedError). Anything else it throws counts as transient: the job is retried with backoff, keeping its
 * place at the head of the instance's queue.
 */

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
 * True for the engine's NotConnectedError (the one class of it: src/engine/engine-errors.ts), recognised by its code
 * `instance_not_connected` so this layer need not import the engine: a sender lets it through unchanged and the job
 * waits (re-checking) up to the configured time.
 */
export function isNotConnectedError(err: unknown): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === 'instance_not_connected';
}

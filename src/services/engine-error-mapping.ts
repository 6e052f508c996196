import { AppError } from '../errors/app-error.js';
import { ConflictError } from '../errors/conflict-error.js';
import { ServiceUnavailableError } from '../errors/service-unavailable-error.js';

/**
 * Turns an engine error (local, or relayed from the owning node with its `code`) into the API's error:
 * instance_busy and instance_not_connected → 409, command_timeout → 504, no engine node or a closing runtime → 503.
 * Anything else is returned unchanged (a 500).
 */
export function toApiError(err: unknown): unknown {
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : null;
  switch (code) {
    case 'instance_busy':
      return new ConflictError('The instance is busy changing state; try again in a moment', undefined, 'INSTANCE_BUSY');
    case 'instance_not_connected':
      return new ConflictError('The instance is not connected to WhatsApp', undefined, 'INSTANCE_NOT_CONNECTED');
    case 'command_timeout':
      return new AppError('COMMAND_TIMEOUT', 504, 'The node running the instance did not answer in time');
    case 'no_engine_node':
    case 'runtime_closed':
      return new ServiceUnavailableError('No engine node is available to run the instance right now');
    default:
      return err;
  }
}

/** Runs an engine call, mapping its errors with toApiError. */
export async function engineCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toApiError(err);
  }
}

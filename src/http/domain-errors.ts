import { AppError } from '../errors/app-error.js';
import { ConflictError } from '../errors/conflict-error.js';
import { ForbiddenError } from '../errors/forbidden-error.js';
import { NotFoundError } from '../errors/not-found-error.js';
import { PayloadTooLargeError } from '../errors/payload-too-large-error.js';
import { ServiceUnavailableError } from '../errors/service-unavailable-error.js';
import { UnsupportedMediaTypeError } from '../errors/unsupported-media-type-error.js';
import { unreachableDependency } from '../errors/dependency-errors.js';
import { MediaTooLargeError, MediaTypeNotAllowedError } from '../services/messages/media-rules.js';

/** What 503s answer in Retry-After: a dependency outage is usually seconds; ioredis and pg reconnect by themselves. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * The one mapping of domain errors to HTTP, used by the error middleware for every route (/whatsapp and /api):
 * services and the engine throw their own errors and never pick a status.
 *
 * Engine errors (local, or relayed from the owning node with their `code`): instance_busy and
 * instance_not_connected → 409, command_timeout → 504, no engine node or a closing runtime → 503.
 * Media rules: too large → 413, type not allowed → 415. WhatsApp's refusals of group operations (GroupOperationError
 * codes): unknown group 404, not an admin / not a participant 403, too many participants 400, unknown invite 404,
 * revoked invite 410, group full 409. Redis or Postgres unreachable (dependency-errors.ts) → 503
 * SERVICE_UNAVAILABLE with `details.dependency`. Anything else is returned unchanged.
 */
export function toHttpError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  if (err instanceof MediaTooLargeError) {
    return new PayloadTooLargeError(err.message, { mediaType: err.mediaType, limitBytes: err.limitBytes }, 'MEDIA_TOO_LARGE');
  }
  if (err instanceof MediaTypeNotAllowedError) {
    return new UnsupportedMediaTypeError(err.message, { mediaType: err.mediaType, contentType: err.contentType }, 'MEDIA_TYPE_NOT_ALLOWED');
  }
  if (!(err instanceof Error)) return err;
  const down = unreachableDependency(err);
  if (down) {
    const what = down === 'redis' ? 'Redis' : down === 'postgres' ? 'The database' : 'A dependency';
    return new ServiceUnavailableError(`${what} is unreachable right now; try again shortly`, {
      dependency: down,
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    });
  }
  const raw = (err as Error & { code?: unknown }).code;
  const code = typeof raw === 'string' ? raw : null;
  switch (code) {
    case 'instance_busy':
      return new ConflictError('The instance is busy changing state; try again in a moment', undefined, 'INSTANCE_BUSY');
    case 'instance_already_paired':
      return new ConflictError('The instance is linked to a phone already; disconnect it first', undefined, 'INSTANCE_ALREADY_CONNECTED');
    case 'pairing_code_unavailable':
      return new AppError('PAIRING_CODE_UNAVAILABLE', 502, 'WhatsApp gave no pairing code in time; try again');
    case 'not_on_whatsapp':
      return new NotFoundError(err.message, undefined, 'CONTACT_NOT_ON_WHATSAPP');
    case 'push_name_required':
      return new ConflictError('Set a profile name first (PUT /whatsapp/instances/{id}/profile {name}): WhatsApp shows no presence without one', undefined, 'PROFILE_NAME_REQUIRED');
    case 'instance_not_connected':
      return new ConflictError('The instance is not connected to WhatsApp', undefined, 'INSTANCE_NOT_CONNECTED');
    case 'command_timeout':
      return new AppError('COMMAND_TIMEOUT', 504, 'The node running the instance did not answer in time');
    case 'group_not_found':
      return new NotFoundError('Group not found (the number never was in a group with this id)', undefined, 'GROUP_NOT_FOUND');
    case 'group_not_admin':
      return new ForbiddenError(err.message, undefined, 'NOT_GROUP_ADMIN');
    case 'group_not_participant':
      return new ForbiddenError(err.message, undefined, 'NOT_GROUP_PARTICIPANT');
    case 'group_too_large':
      return new AppError('GROUP_TOO_LARGE', 400, 'Too many participants for one group');
    case 'group_full':
      return new ConflictError('The group is full', undefined, 'GROUP_FULL');
    case 'group_invite_not_found':
      return new NotFoundError('No group has this invite code', undefined, 'INVITE_NOT_FOUND');
    case 'group_invite_revoked':
      return new AppError('INVITE_REVOKED', 410, 'This invite link was revoked');
    case 'group_bad_request':
      return new AppError('GROUP_REQUEST_REJECTED', 400, err.message);
    case 'group_picture_not_found':
      return new NotFoundError('The group has no picture', undefined, 'PICTURE_NOT_FOUND');
    case 'no_engine_node':
    case 'runtime_closed':
      return new ServiceUnavailableError('No engine node is available to run the instance right now');
    default:
      return err;
  }
}

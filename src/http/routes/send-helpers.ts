import type { Request, Response } from 'express';
import { UnauthorizedError } from '../../errors/unauthorized-error.js';
import { ValidationError } from '../../errors/validation-error.js';
import { requestFingerprint, type Accepted, type IdempotencyInput } from '../../services/messages/messaging-service.js';
import { IdempotencyKeySchema } from '../schemas/message-schemas.js';

/** Answers an accepted send: 202 `queued` (or the replayed first answer, marked `Idempotent-Replayed: true`). */
export function answer(res: Response, accepted: Accepted): void {
  if (accepted.replayed) res.set('Idempotent-Replayed', 'true');
  res.status(accepted.status).json(accepted.body);
}

export const tenantOf = (req: Request) => {
  if (!req.principal) throw new UnauthorizedError();
  return req.principal.tenantId;
};

export function idempotencyOf(req: Request, parts: unknown): IdempotencyInput | undefined {
  const header = req.get('idempotency-key');
  if (header === undefined) return undefined;
  const parsed = IdempotencyKeySchema.safeParse(header);
  if (!parsed.success) {
    throw new ValidationError('Invalid Idempotency-Key header', [
      { location: 'headers', path: 'idempotency-key', message: '1 to 255 characters', code: 'invalid' },
    ]);
  }
  return { key: parsed.data, requestHash: requestFingerprint([req.method, req.path, parts]) };
}


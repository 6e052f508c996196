import type { z } from 'zod';
import { ValidationError } from '../errors/validation-error.js';
import { findUnstorableText } from './schemas/safe-text.js';

export interface ValidationIssue {
  location: 'body' | 'params' | 'query';
  path: string;
  message: string;
  code: string;
}

/**
 * Parses request input with a zod schema; throws a 400 VALIDATION_FAILED listing every issue. Strings with a NUL or
 * a lone UTF-16 surrogate are refused before the schema runs (see schemas/safe-text.ts).
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown, location: ValidationIssue['location']): z.output<S> {
  // NUL and lone surrogates: refused here, once, for every route (Postgres and UTF-8 cannot store them).
  const unstorable = findUnstorableText(input);
  if (unstorable.length > 0) {
    throw new ValidationError(
      `Invalid request ${location}`,
      unstorable.map(({ path, message }) => ({ location, path, message, code: 'invalid_text' })),
    );
  }
  const result = schema.safeParse(input ?? (location === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const details: ValidationIssue[] = result.error.issues.map((issue) => ({
    location,
    path: issue.path.map(String).join('.'),
    message:
      issue.code === 'unrecognized_keys' ? `Unknown field(s): ${issue.keys.join(', ')}` : issue.message,
    code: issue.code,
  }));
  throw new ValidationError(`Invalid request ${location}`, details);
}

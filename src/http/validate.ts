import type { z } from 'zod';
import { ValidationError } from '../errors/validation-error.js';

export interface ValidationIssue {
  location: 'body' | 'params' | 'query';
  path: string;
  message: string;
  code: string;
}

/** Parses request input with a zod schema; throws a 400 VALIDATION_FAILED listing every issue. */
export function validate<S extends z.ZodType>(schema: S, input: unknown, location: ValidationIssue['location']): z.output<S> {
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

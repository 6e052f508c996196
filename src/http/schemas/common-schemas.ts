import { z } from 'zod';

export const ErrorResponseSchema = z
  .object({
    success: z.literal(false),
    error: z.object({
      code: z.string().meta({ example: 'VALIDATION_FAILED' }),
      message: z.string(),
      details: z.unknown().optional(),
      requestId: z.string().optional().meta({ description: 'Present on 5xx: quote it when reporting a problem' }),
    }),
  })
  .meta({ id: 'ErrorResponse' });

/** `{ success: true, data }` around a response schema. */
export function success<T extends z.ZodType>(data: T) {
  return z.object({ success: z.literal(true), data });
}

export const timestamp = z.iso.datetime();

/** http(s) URL, as webhooks accept. */
export const httpUrl = z
  .url({ protocol: /^https?$/, message: 'must be an http or https URL' })
  .max(2048);

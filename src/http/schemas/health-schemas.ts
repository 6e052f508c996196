import { z } from 'zod';
import { success } from './common-schemas.js';

export const HealthResponseSchema = success(
  z.object({ status: z.literal('ok'), uptimeSeconds: z.number() }),
).meta({ id: 'HealthResponse' });

export const ReadyResponseSchema = success(
  z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.literal('ok')) }),
).meta({ id: 'ReadyResponse' });

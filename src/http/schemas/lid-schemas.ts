import { z } from 'zod';
import { INSTANCE_ID_PATTERN } from '../../services/ids.js';

export const LidParamsSchema = z.object({
  instanceId: z.string().regex(INSTANCE_ID_PATTERN, 'must look like inst_xxxxxxxxxxxx'),
  lid: z
    .string()
    .trim()
    .regex(/^\d{1,20}(@lid)?$/, 'a LID: <digits>@lid or its digits'),
});

export const LidQuerySchema = z.object({
  phone: z.string().trim().min(1, 'the phone number to look up').max(40),
});

import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from '../../services/password-policy/password-policy.js';
import { success, timestamp } from './common-schemas.js';

export const SignupBodySchema = z
  .strictObject({
    email: z.email().max(254),
    password: z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH).meta({
      description: '8 to 128 characters; not only whitespace, not the email, not one of the most common passwords',
    }),
    tenantName: z.string().trim().min(2).max(100),
  })
  .superRefine((body, ctx) => {
    if (typeof body.password !== 'string' || body.password.length < PASSWORD_MIN_LENGTH || body.password.length > PASSWORD_MAX_LENGTH) return;
    const problem = passwordProblem(body.password, body.email);
    if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: `password ${problem}` });
  })
  .meta({ id: 'SignupBody' });

export const LoginBodySchema = z
  .strictObject({
    email: z.email().max(254),
    password: z.string().min(1).max(128),
  })
  .meta({ id: 'LoginBody' });

export const UserSchema = z
  .object({ id: z.uuid(), email: z.email(), role: z.enum(['owner', 'platform_admin']) })
  .meta({ id: 'User' });

export const TenantSchema = z
  .object({ id: z.uuid(), name: z.string(), plan: z.enum(['starter', 'pro', 'enterprise']) })
  .meta({ id: 'Tenant' });

export const SessionResponseSchema = success(
  z.object({ user: UserSchema, tenant: TenantSchema, expiresAt: timestamp }),
).meta({ id: 'SessionResponse' });

export const MeResponseSchema = success(
  z.object({
    user: UserSchema,
    tenant: TenantSchema.extend({
      systemId: z.number().int().meta({ description: 'Numeric id: the X-Sistema-ID / sistema_id of the Z-API compatibility API (/api)' }),
    }),
    method: z.enum(['session', 'api_key']),
  }),
).meta({ id: 'MeResponse' });

export const CreateApiKeyBodySchema = z
  .strictObject({ name: z.string().trim().min(1).max(100) })
  .meta({ id: 'CreateApiKeyBody' });

export const ApiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().meta({ description: 'First characters of the key' }),
    createdAt: timestamp,
    lastUsedAt: timestamp.nullable(),
  })
  .meta({ id: 'ApiKey' });

export const ApiKeyCreatedResponseSchema = success(
  ApiKeySchema.extend({ key: z.string().meta({ description: 'The secret; shown only in this response' }) }),
).meta({ id: 'ApiKeyCreatedResponse' });

export const ApiKeyListResponseSchema = success(z.array(ApiKeySchema)).meta({ id: 'ApiKeyListResponse' });

export const ApiKeyIdParamsSchema = z.object({ id: z.uuid() });

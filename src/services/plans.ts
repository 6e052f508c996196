import type { Plan } from '../persistence/entities/tenant.entity.js';

export const PLANS: readonly Plan[] = ['starter', 'pro', 'enterprise'];

/** Instances a tenant may have on each plan. */
export const PLAN_INSTANCE_LIMITS: Record<Plan, number> = { starter: 1, pro: 5, enterprise: 50 };

import { AppError } from './app-error.js';

export class PlanLimitError extends AppError {
  constructor(plan: string, limit: number) {
    super('PLAN_LIMIT_REACHED', 403, `Your ${plan} plan allows ${limit} instance(s)`, { plan, limit });
  }
}

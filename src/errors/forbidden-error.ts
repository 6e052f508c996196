import { AppError } from './app-error.js';

export class ForbiddenError extends AppError {
  constructor(message = 'You are not allowed to do this', details?: unknown, code = 'FORBIDDEN') {
    super(code, 403, message, details);
  }
}

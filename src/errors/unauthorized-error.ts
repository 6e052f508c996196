import { AppError } from './app-error.js';

export class UnauthorizedError extends AppError {
  constructor(message = 'Authentication required', details?: unknown, code = 'UNAUTHORIZED') {
    super(code, 401, message, details);
  }
}

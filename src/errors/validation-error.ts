import { AppError } from './app-error.js';

export class ValidationError extends AppError {
  constructor(message = 'Request validation failed', details?: unknown, code = 'VALIDATION_FAILED') {
    super(code, 400, message, details);
  }
}

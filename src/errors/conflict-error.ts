import { AppError } from './app-error.js';

export class ConflictError extends AppError {
  constructor(message = 'Conflict', details?: unknown, code = 'CONFLICT') {
    super(code, 409, message, details);
  }
}

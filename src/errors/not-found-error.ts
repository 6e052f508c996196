import { AppError } from './app-error.js';

export class NotFoundError extends AppError {
  constructor(message = 'Not found', details?: unknown, code = 'NOT_FOUND') {
    super(code, 404, message, details);
  }
}

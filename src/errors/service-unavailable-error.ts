import { AppError } from './app-error.js';

export class ServiceUnavailableError extends AppError {
  constructor(message = 'Service unavailable', details?: unknown) {
    super('SERVICE_UNAVAILABLE', 503, message, details);
  }
}

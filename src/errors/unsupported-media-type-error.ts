import { AppError } from './app-error.js';

export class UnsupportedMediaTypeError extends AppError {
  constructor(message = 'Content-Type must be application/json', details?: unknown, code = 'UNSUPPORTED_MEDIA_TYPE') {
    super(code, 415, message, details);
  }
}

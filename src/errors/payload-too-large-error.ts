import { AppError } from './app-error.js';

export class PayloadTooLargeError extends AppError {
  constructor(message = 'Request body is too large', details?: unknown, code = 'PAYLOAD_TOO_LARGE') {
    super(code, 413, message, details);
  }
}

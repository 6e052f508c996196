import { AppError } from './app-error.js';

/** What was asked is no longer possible (e.g. an edit after WhatsApp's window). */
export class GoneError extends AppError {
  constructor(message = 'Gone', details?: unknown, code = 'GONE') {
    super(code, 410, message, details);
  }
}

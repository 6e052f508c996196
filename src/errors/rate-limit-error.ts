import { AppError } from './app-error.js';

export class RateLimitError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many requests, try again later',
  ) {
    super('RATE_LIMITED', 429, message, { retryAfterSeconds });
  }
}

import { AppError } from '../../src/errors/app-error.js';
import { ConflictError } from '../../src/errors/conflict-error.js';
import { NotFoundError } from '../../src/errors/not-found-error.js';
import { PlanLimitError } from '../../src/errors/plan-limit-error.js';
import { RateLimitError } from '../../src/errors/rate-limit-error.js';
import { ValidationError } from '../../src/errors/validation-error.js';
import { mapError } from '../../src/http/error-mapper.js';

describe('mapError', () => {
  it('maps AppError subclasses to their status and code', () => {
    expect(mapError(new NotFoundError('Instance not found'), 'r1')).toEqual({
      status: 404,
      body: { success: false, error: { code: 'NOT_FOUND', message: 'Instance not found' } },
      unexpected: false,
      headers: {},
    });
    expect(mapError(new ConflictError(), 'r1').status).toBe(409);
    const plan = mapError(new PlanLimitError('starter', 1), 'r1');
    expect(plan.status).toBe(403);
    expect(plan.body.error).toEqual({ code: 'PLAN_LIMIT_REACHED', message: 'Your starter plan allows 1 instance(s)', details: { plan: 'starter', limit: 1 } });
  });

  it('keeps validation details', () => {
    const details = [{ location: 'body', path: 'name', message: 'Too small', code: 'too_small' }];
    expect(mapError(new ValidationError('Invalid request body', details), 'r1').body.error).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'Invalid request body',
      details,
    });
  });

  it('sets Retry-After on rate limits', () => {
    const mapped = mapError(new RateLimitError(42), 'r1');
    expect(mapped.status).toBe(429);
    expect(mapped.headers).toEqual({ 'Retry-After': '42' });
  });

  it('answers Redis and Postgres outages with 503 SERVICE_UNAVAILABLE and Retry-After, never 500', () => {
    class MaxRetriesPerRequestError extends Error {
      override name = 'MaxRetriesPerRequestError';
    }
    class QueryFailedError extends Error {
      override name = 'QueryFailedError';
      constructor(readonly driverError: Error) {
        super(driverError.message);
      }
    }
    const outages: Array<[unknown, string]> = [
      [new MaxRetriesPerRequestError('Reached the max retries per request limit (which is 3).'), 'redis'],
      [new Error('Connection is closed.'), 'redis'],
      [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), 'unknown'],
      [new QueryFailedError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })), 'postgres'],
      [new QueryFailedError(Object.assign(new Error('the database system is starting up'), { code: '57P03' })), 'postgres'],
      [new Error('Connection terminated unexpectedly'), 'postgres'],
      [new Error('timeout exceeded when trying to connect'), 'postgres'],
    ];
    for (const [err, dependency] of outages) {
      const mapped = mapError(err, 'r1');
      expect({ status: mapped.status, code: mapped.body.error.code, dependency: (mapped.body.error.details as { dependency?: string }).dependency }).toEqual({
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        dependency,
      });
      expect(mapped.headers['Retry-After']).toBe('5');
    }
    // A query that is wrong is still a bug (500), not an outage.
    const bad = new QueryFailedError(Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' }));
    expect(mapError(bad, 'r1').status).toBe(500);
    expect(mapError(new Error('boom'), 'r1').status).toBe(500);
  });

  it('maps body-parser failures', () => {
    expect(mapError(Object.assign(new Error('x'), { type: 'entity.parse.failed', status: 400 }), 'r1').body.error.code).toBe('MALFORMED_JSON');
    expect(mapError(Object.assign(new Error('x'), { type: 'entity.too.large', status: 413 }), 'r1').status).toBe(413);
    expect(mapError(Object.assign(new Error('x'), { type: 'charset.unsupported', status: 415 }), 'r1').status).toBe(415);
  });

  it('turns anything else into a 500 with the request id, leaking nothing', () => {
    const mapped = mapError(new TypeError('cannot read properties of undefined (reading "password")'), 'req-9');
    expect(mapped).toEqual({
      status: 500,
      body: { success: false, error: { code: 'INTERNAL_ERROR', message: 'Internal server error', requestId: 'req-9' } },
      unexpected: true,
      headers: {},
    });
    expect(mapError('a string', 'r').status).toBe(500);
    expect(mapError(null, 'r').status).toBe(500);
  });

  it('5xx AppErrors carry the request id and count as unexpected', () => {
    const mapped = mapError(new AppError('UPSTREAM', 502, 'Bad gateway'), 'r2');
    expect(mapped.unexpected).toBe(true);
    expect(mapped.body.error.requestId).toBe('r2');
  });
});

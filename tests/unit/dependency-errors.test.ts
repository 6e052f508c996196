import pg from 'pg';
import { QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';
import { unreachableDependency } from '../../src/errors/dependency-errors.js';

/** A pg server error as pg's parser builds it (class, name 'error', SQLSTATE in `code`). */
function serverError(message: string, code: string): Error {
  const err = new pg.DatabaseError(message, message.length, 'error');
  err.code = code;
  return err;
}

/** A Node socket error as net builds it. */
function socketError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code, syscall: 'read' });
}

describe('unreachableDependency with the errors pg and TypeORM really throw while Postgres restarts', () => {
  // Shapes measured against a real Postgres (pg_terminate_backend of an idle-in-transaction connection, a query in
  // flight, a closed port): see the comments in src/errors/dependency-errors.ts.
  it.each([
    ['57P01 admin_shutdown (a query in flight during a fast shutdown)', serverError('terminating connection due to administrator command', '57P01')],
    ['57P03 the database system is shutting down', serverError('the database system is shutting down', '57P03')],
    ['57P03 the database system is starting up', serverError('the database system is starting up', '57P03')],
    ['the next query on a client whose server went away', new Error('Connection terminated unexpectedly')],
    ['TypeORM QueryFailedError wrapping 57P01', new QueryFailedError('INSERT ...', [], serverError('terminating connection due to administrator command', '57P01'))],
    ['TypeORM QueryFailedError wrapping Connection terminated unexpectedly', new QueryFailedError('SELECT ...', [], new Error('Connection terminated unexpectedly'))],
    ['TypeORM QueryFailedError wrapping read ECONNRESET', new QueryFailedError('SELECT ...', [], socketError('read ECONNRESET', 'ECONNRESET'))],
    // The one that escaped as a 500 (~1 run in 10 of the Postgres-restart fault test): the connection of an open
    // transaction died between two statements, TypeORM released the query runner, the next statement threw this.
    ['TypeORM QueryRunnerAlreadyReleasedError (the transaction lost its connection between statements)', new QueryRunnerAlreadyReleasedError()],
  ])('%s → postgres', (_label, err) => {
    expect(unreachableDependency(err)).toBe('postgres');
  });

  it('names a bare socket error unknown (still an outage), and a wrong query none', () => {
    expect(unreachableDependency(socketError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe('unknown');
    expect(unreachableDependency(socketError('read ECONNRESET', 'ECONNRESET'))).toBe('unknown');
    expect(unreachableDependency(new QueryFailedError('SELEC 1', [], serverError('syntax error at or near "SELEC"', '42601')))).toBeNull();
    expect(unreachableDependency(serverError('duplicate key value violates unique constraint "x"', '23505'))).toBeNull();
    expect(unreachableDependency(new Error('boom'))).toBeNull();
  });
});

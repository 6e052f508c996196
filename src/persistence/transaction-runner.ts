import type { DataSource, EntityManager } from 'typeorm';

/**
 * A database transaction as repositories see it. Services hold it opaquely and pass it back to repository
 * methods (their optional last argument) so several writes commit or roll back together.
 */
export type Tx = EntityManager;

/** Opens transactions for services, which must not import TypeORM themselves. */
export class TransactionRunner {
  constructor(private readonly ds: DataSource) {}

  /** Runs `fn` in one READ COMMITTED transaction: commits when it resolves, rolls back when it throws. */
  run<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.ds.transaction(fn);
  }
}

/** Runs `fn` in `tx` when given, otherwise in a new transaction of `ds`. */
export function inTransaction<T>(ds: DataSource, tx: Tx | undefined, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return tx ? fn(tx) : ds.transaction(fn);
}

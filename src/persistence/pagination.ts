import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** What a caller asks for; missing or out-of-range values are clamped by `normalizePage`. */
export interface PageRequest {
  /** 1-based. */
  page?: number;
  pageSize?: number;
}

export interface Page<T> {
  items: T[];
  /** Rows matching the filter, on every page. */
  total: number;
  page: number;
  pageSize: number;
}

/** page ≥ 1; 1 ≤ pageSize ≤ MAX_PAGE_SIZE; non-numbers take the defaults, fractions are floored. */
export function normalizePage(request: PageRequest = {}): { page: number; pageSize: number } {
  const whole = (value: number | undefined, fallback: number) =>
    value === undefined || !Number.isFinite(value) ? fallback : Math.floor(value);
  const page = Math.max(1, whole(request.page, 1));
  const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, whole(request.pageSize, DEFAULT_PAGE_SIZE)));
  return { page, pageSize };
}

/**
 * One page of a query without joins (plain OFFSET/LIMIT) and the total count. The query must have a total
 * order (end its ORDER BY with a unique column) so pages neither repeat nor skip rows.
 */
export async function paginate<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, request: PageRequest = {}): Promise<Page<T>> {
  const { page, pageSize } = normalizePage(request);
  const [items, total] = await query
    .offset((page - 1) * pageSize)
    .limit(pageSize)
    .getManyAndCount();
  return { items, total, page, pageSize };
}

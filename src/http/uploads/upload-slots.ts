import { RateLimitError } from '../../errors/rate-limit-error.js';

export interface UploadSlotLimits {
  /** Uploads in progress at once for one tenant on this node. */
  perTenant: number;
  /** Uploads in progress at once on this node, all tenants. */
  perNode: number;
}

/** Counts uploads in progress on this node; past a limit the upload is refused with 429 before its body is read. */
export class UploadSlots {
  private total = 0;
  private readonly byTenant = new Map<string, number>();

  constructor(private readonly limits: UploadSlotLimits) {}

  /** Takes a slot for `tenantId` or throws a 429; call the returned function exactly once when the upload is done. */
  acquire(tenantId: string): () => void {
    const mine = this.byTenant.get(tenantId) ?? 0;
    if (mine >= this.limits.perTenant) throw new RateLimitError(1, `At most ${this.limits.perTenant} uploads at once per account`);
    if (this.total >= this.limits.perNode) throw new RateLimitError(1, 'Too many uploads in progress, try again in a moment');
    this.total += 1;
    this.byTenant.set(tenantId, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.byTenant.get(tenantId) ?? 1) - 1;
      if (left <= 0) this.byTenant.delete(tenantId);
      else this.byTenant.set(tenantId, left);
    };
  }

  get inProgress(): number {
    return this.total;
  }
}

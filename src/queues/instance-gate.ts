/**
 * Per-instance order and pacing on one node, in memory, for jobs that arrive through a shared send lane.
 *
 * Every job of the instance gets a ticket in the order this node took it from the lane (the lane is FIFO, and the
 * Worker takes jobs one after the other, so ticket order is queue order). A job sends only on its turn; the turn
 * moves on when the job finishes (sent or failed for good). A job that must wait long (pacing, a retry's backoff,
 * the instance not connected, too many tickets ahead) is parked in BullMQ's delayed set and keeps its ticket, so
 * when it comes back it keeps its place: the jobs behind it wait for it.
 *
 * A parked ticket whose job never comes back (removed by failPending, taken by another node) would block the
 * instance; after `lostAfterMs` past its expected return it is skipped.
 */
export class InstanceGate {
  private nextTicket = 0;
  private turn = 0;
  private readonly tickets = new Map<string, number>();
  /** Parked tickets: when each job is expected back. */
  private readonly parkedUntil = new Map<number, number>();
  private readonly waiters = new Set<() => void>();
  /** Pacing: the earliest start of the next send. */
  nextSendAt = 0;
  /** When the instance was first seen not connected (cleared by a send). */
  notConnectedSince: number | null = null;

  constructor(private readonly lostAfterMs: number) {}

  /** The job's ticket (a returning parked job keeps its own). */
  ticketOf(jobId: string): number {
    let ticket = this.tickets.get(jobId);
    if (ticket === undefined || ticket < this.turn) {
      ticket = this.nextTicket++;
      this.tickets.set(jobId, ticket);
    }
    this.parkedUntil.delete(ticket);
    return ticket;
  }

  /** How many tickets are before this one (0: its turn). Skips a head ticket parked and lost. */
  ahead(ticket: number, now: number): number {
    for (;;) {
      const parked = this.parkedUntil.get(this.turn);
      if (parked === undefined || now < parked + this.lostAfterMs || this.turn >= ticket) break;
      this.parkedUntil.delete(this.turn);
      for (const [jobId, t] of this.tickets) if (t === this.turn) this.tickets.delete(jobId);
      this.advance();
    }
    return ticket - this.turn;
  }

  /** Resolves when the turn moves (or after `ms`). */
  async turnMoved(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waiters.add(wake);
    });
  }

  /** The job leaves for `until` (BullMQ delayed) and keeps its ticket. */
  park(ticket: number, until: number): void {
    this.parkedUntil.set(ticket, until);
  }

  /** The job is finished (sent, or failed for good): the next ticket's turn. */
  finish(jobId: string, ticket: number): void {
    this.tickets.delete(jobId);
    this.parkedUntil.delete(ticket);
    if (ticket === this.turn) this.advance();
  }

  /** The job left this node without finishing (another node, a lost lock): forget its ticket if it holds the turn. */
  release(jobId: string, ticket: number): void {
    this.finish(jobId, ticket);
  }

  /** Nothing pending here: the gate can be dropped. */
  get idle(): boolean {
    return this.tickets.size === 0 && this.waiters.size === 0;
  }

  private advance(): void {
    this.turn += 1;
    // Skip tickets already finished out of order (released while not at the head).
    const live = new Set(this.tickets.values());
    while (this.turn < this.nextTicket && !live.has(this.turn)) this.turn += 1;
    for (const wake of [...this.waiters]) wake();
  }
}

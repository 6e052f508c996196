/**
 * Per-instance order and pacing on one node, in memory, for jobs that arrive through a shared send lane.
 *
 * Every job of the instance gets a ticket in the order this node took it from the lane (the lane is FIFO, and the
 * Worker takes jobs one after the other, so ticket order is queue order). A job sends only on its turn; the turn
 * moves on when the job finishes (sent or failed for good). Jobs behind the turn wait in the process (`waitTurn`),
 * each woken only when its own turn comes, so a long queue of one instance costs one wake-up per send. A job that
 * must wait long (pacing, a retry's backoff, the instance not connected, the turn not moving) is parked in BullMQ's
 * delayed set and keeps its ticket, so when it comes back it keeps its place: the jobs behind it wait for it.
 *
 * A parked ticket whose job never comes back (removed by failPending, taken by another node) would block the
 * instance; after `lostAfterMs` past its expected return it is skipped.
 */
export class InstanceGate {
  private nextTicket = 0;
  private turn = 0;
  private readonly tickets = new Map<string, number>();
  /** Live tickets (held or parked here), for skipping finished ones when the turn moves. */
  private readonly live = new Set<number>();
  /** Parked tickets: when each job is expected back. */
  private readonly parkedUntil = new Map<number, number>();
  /** Jobs waiting in the process for their turn, by ticket (two only if a job came back while still held here). */
  private readonly waiters = new Map<number, Array<() => void>>();
  private stallTimer: NodeJS.Timeout | null = null;
  /** When the turn last moved (or the first job came). */
  lastMoveAt: number;
  /** Pacing: the earliest start of the next send. */
  nextSendAt = 0;
  /** When the instance was first seen not connected (cleared by a send). */
  notConnectedSince: number | null = null;

  constructor(
    private readonly lostAfterMs: number,
    /** Waiters are all woken when the turn has not moved for this long (they then decide to park). */
    private readonly stallMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lastMoveAt = now();
  }

  /** The job's ticket (a returning parked job keeps its own). */
  ticketOf(jobId: string): number {
    let ticket = this.tickets.get(jobId);
    if (ticket === undefined || ticket < this.turn) {
      if (ticket !== undefined) this.live.delete(ticket);
      if (this.tickets.size === 0) this.lastMoveAt = this.now();
      ticket = this.nextTicket++;
      this.tickets.set(jobId, ticket);
      this.live.add(ticket);
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
      this.live.delete(this.turn);
      this.advance();
    }
    return ticket - this.turn;
  }

  /**
   * Resolves when this ticket's turn comes, when the turn has not moved for `stallMs`, or on `wakeAll()`; the caller
   * looks again (`ahead`, `stalledFor`).
   */
  async waitTurn(ticket: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const same = this.waiters.get(ticket);
      if (same) same.push(resolve);
      else this.waiters.set(ticket, [resolve]);
      this.armStallTimer();
    });
  }

  /** How long the turn has not moved (ms). */
  stalledFor(now: number): number {
    return now - this.lastMoveAt;
  }

  /** Wakes every waiter (the instance is no longer served here: they park). */
  wakeAll(): void {
    const waiters = [...this.waiters.values()];
    this.waiters.clear();
    this.disarmStallTimer();
    for (const wakes of waiters) for (const wake of wakes) wake();
  }

  /** The job leaves for `until` (BullMQ delayed) and keeps its ticket. */
  park(ticket: number, until: number): void {
    this.parkedUntil.set(ticket, until);
  }

  /** The job is finished (sent, or failed for good): the next ticket's turn. */
  finish(jobId: string, ticket: number): void {
    if (this.tickets.get(jobId) === ticket) this.tickets.delete(jobId);
    this.live.delete(ticket);
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
    while (this.turn < this.nextTicket && !this.live.has(this.turn)) this.turn += 1;
    this.lastMoveAt = this.now();
    const wakes = this.waiters.get(this.turn);
    if (wakes) {
      this.waiters.delete(this.turn);
      for (const wake of wakes) wake();
    }
    if (this.waiters.size === 0) this.disarmStallTimer();
  }

  /** One timer per gate: when the turn has not moved for `stallMs`, every waiter wakes to decide whether to park. */
  private armStallTimer(): void {
    if (this.stallTimer) return;
    const fire = (): void => {
      this.stallTimer = null;
      if (this.waiters.size === 0) return;
      const left = this.lastMoveAt + this.stallMs - this.now();
      if (left > 0) {
        this.stallTimer = setTimeout(fire, left);
        this.stallTimer.unref?.();
        return;
      }
      this.wakeAll();
    };
    this.stallTimer = setTimeout(fire, Math.max(1, this.lastMoveAt + this.stallMs - this.now()));
    this.stallTimer.unref?.();
  }

  private disarmStallTimer(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
  }
}

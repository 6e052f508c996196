import { InstanceGate } from '../../../src/queues/instance-gate.js';

/** A gate on a clock the test moves; the stall timer never fires within a test (stallMs is an hour). */
function gate() {
  let clock = 1_000;
  const g = new InstanceGate(30_000, 3_600_000, () => clock);
  return { g, tick: (ms: number) => (clock += ms), now: () => clock };
}

const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
  return done;
};

describe('InstanceGate', () => {
  it('gives tickets in arrival order; a returning job keeps its own', () => {
    const { g, now } = gate();
    expect([g.ticketOf('a'), g.ticketOf('b'), g.ticketOf('c')]).toEqual([0, 1, 2]);
    expect(g.ticketOf('b')).toBe(1);
    expect(g.ahead(2, now())).toBe(2);
  });

  it('wakes only the waiter whose turn comes', async () => {
    const { g, now } = gate();
    const [a, b, c] = [g.ticketOf('a'), g.ticketOf('b'), g.ticketOf('c')];
    const waitB = g.waitTurn(b);
    const waitC = g.waitTurn(c);
    g.finish('a', a);
    expect(await settled(waitB)).toBe(true);
    expect(await settled(waitC)).toBe(false);
    expect(g.ahead(b, now())).toBe(0);
    g.finish('b', b);
    expect(await settled(waitC)).toBe(true);
    g.finish('c', c);
    expect(g.idle).toBe(true);
  });

  it('wakes both holders of one ticket (a job taken again while still held here)', async () => {
    const { g } = gate();
    const [a, b] = [g.ticketOf('a'), g.ticketOf('b')];
    const first = g.waitTurn(b);
    const again = g.waitTurn(g.ticketOf('b'));
    g.finish('a', a);
    expect(await settled(Promise.all([first, again]))).toBe(true);
  });

  it('skips tickets finished out of order when the turn moves', async () => {
    const { g, now } = gate();
    const [a, b, c] = [g.ticketOf('a'), g.ticketOf('b'), g.ticketOf('c')];
    g.release('b', b);
    const waitC = g.waitTurn(c);
    g.finish('a', a);
    expect(await settled(waitC)).toBe(true);
    expect(g.ahead(c, now())).toBe(0);
  });

  it('wakes every waiter on wakeAll, and reports how long the turn stood still', async () => {
    const { g, tick, now } = gate();
    const [, b, c] = [g.ticketOf('a'), g.ticketOf('b'), g.ticketOf('c')];
    const waits = [g.waitTurn(b), g.waitTurn(c)];
    tick(500);
    expect(g.stalledFor(now())).toBe(500);
    g.wakeAll();
    expect(await settled(Promise.all(waits))).toBe(true);
    expect(g.ahead(c, now())).toBe(2);
  });

  it('skips a parked head ticket whose job did not come back in time', () => {
    const { g, tick, now } = gate();
    const [a, b] = [g.ticketOf('a'), g.ticketOf('b')];
    g.park(a, now() + 1_000);
    expect(g.ahead(b, now())).toBe(1);
    tick(1_000 + 30_000);
    expect(g.ahead(b, now())).toBe(0);
  });
});

import { BusyError } from '../../src/engine/engine-errors.js';
import { OperationLock } from '../../src/engine/operation-lock.js';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('OperationLock', () => {
  it('never runs two operations at once; the second waits for the first', async () => {
    const lock = new OperationLock({ instanceId: 'i1' });
    const order: string[] = [];
    let inside = 0;
    let maxInside = 0;
    const op = (name: string) =>
      lock.run(name, async () => {
        inside += 1;
        maxInside = Math.max(maxInside, inside);
        order.push(`${name}:start`);
        await tick(10);
        order.push(`${name}:end`);
        inside -= 1;
      });
    await Promise.all([op('a'), op('b'), op('c')]);
    expect(maxInside).toBe(1);
    expect(order).toEqual(['a:start', 'a:end', 'b:start', 'b:end', 'c:start', 'c:end']);
  });

  it('throws BusyError at once in fail mode', async () => {
    const lock = new OperationLock({ instanceId: 'i1', mode: 'fail' });
    const first = lock.run('restart', () => tick(20));
    await expect(lock.run('logout', async () => undefined)).rejects.toBeInstanceOf(BusyError);
    await first;
    await expect(lock.run('logout', async () => 'ok')).resolves.toBe('ok');
  });

  it('gives up waiting with BusyError after the timeout, and the lock still works afterwards', async () => {
    const lock = new OperationLock({ instanceId: 'i1', waitTimeoutMs: 10 });
    const first = lock.run('restart', () => tick(40));
    const err = await lock.run('logout', async () => undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusyError);
    expect((err as BusyError).runningOperation).toBe('restart');
    await first;
    await expect(lock.run('stop', async () => 'done')).resolves.toBe('done');
  });

  it('releases the lock when an operation throws', async () => {
    const lock = new OperationLock({ instanceId: 'i1' });
    await expect(lock.run('a', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(lock.run('b', async () => 1)).resolves.toBe(1);
  });
});

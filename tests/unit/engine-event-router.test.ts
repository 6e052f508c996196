import pino from 'pino';
import type { StatusChange } from '../../src/engine/index.js';
import { AppError } from '../../src/errors/app-error.js';
import { toHttpError } from '../../src/http/domain-errors.js';
import { EngineEventRouter } from '../../src/services/engine-event-router.js';

const change: StatusChange = { status: 'connected', reason: 'connected', phone: '+5511999990000', jid: null, at: 1 };
const meta = { nodeId: 'n1' };

describe('EngineEventRouter', () => {
  it('calls every registered handler in order, and a failing one does not stop the others', async () => {
    const router = new EngineEventRouter(pino({ level: 'silent' }));
    const seen: string[] = [];
    router.register({ name: 'a', onStatus: async () => void seen.push('a') });
    router.register({ name: 'broken', onStatus: () => Promise.reject(new Error('boom')) });
    const remove = router.register({ name: 'c', onStatus: () => void seen.push('c'), onEvent: () => void seen.push('c-event') });
    router.register({ name: 'events-only', onEvent: () => void seen.push('d-event') });

    await router.onStatus('inst_1', change, meta);
    await router.onEvent('inst_1', { name: 'chats.upsert', data: [], at: 1 }, meta);
    expect(seen).toEqual(['a', 'c', 'c-event', 'd-event']);

    remove();
    seen.length = 0;
    await router.onStatus('inst_1', change, meta);
    expect(seen).toEqual(['a']);
  });
});

describe('engine errors as API errors', () => {
  const mapped = (code: string) => toHttpError(Object.assign(new Error('x'), { code })) as AppError;

  it('maps busy and not-connected to 409, timeouts to 504, no engine node to 503', () => {
    expect([mapped('instance_busy').status, mapped('instance_busy').code]).toEqual([409, 'INSTANCE_BUSY']);
    expect([mapped('instance_not_connected').status, mapped('instance_not_connected').code]).toEqual([409, 'INSTANCE_NOT_CONNECTED']);
    expect([mapped('command_timeout').status, mapped('command_timeout').code]).toEqual([504, 'COMMAND_TIMEOUT']);
    expect(mapped('no_engine_node').status).toBe(503);
  });

  it('leaves other errors alone', () => {
    const err = new Error('other');
    expect(toHttpError(err)).toBe(err);
  });
});

import { CloseCode, decideDisconnect, type DisconnectContext } from '../../src/engine/disconnect-policy.js';
import { backoffDelay } from '../../src/engine/backoff.js';

const base: DisconnectContext = {
  statusCode: undefined,
  registered: true,
  qrAttempts: 0,
  qrMaxAttempts: 6,
  consecutiveFailures: 0,
  maxFailuresBeforeDisconnected: 5,
};
const decide = (over: Partial<DisconnectContext>) => decideDisconnect({ ...base, ...over });

describe('decideDisconnect', () => {
  it('reconnects at once, silently, on 515 restart required (the pairing restart)', () => {
    expect(decide({ statusCode: CloseCode.restartRequired, registered: true })).toEqual({
      action: 'reconnect-now',
      status: null,
      reason: null,
      wipeAuth: false,
    });
  });

  it('wipes the auth state and stops on 401 logged out', () => {
    expect(decide({ statusCode: 401 })).toEqual({ action: 'stop', status: 'disconnected', reason: 'logged_out', wipeAuth: true });
  });

  it('reports banned and stops on 403', () => {
    expect(decide({ statusCode: 403 })).toMatchObject({ action: 'stop', status: 'banned', reason: 'banned', wipeAuth: false });
  });

  it('stops without a reconnect loop on 440 replaced', () => {
    expect(decide({ statusCode: 440 })).toMatchObject({ action: 'stop', status: 'disconnected', reason: 'replaced' });
  });

  it('stops on 411 multi-device mismatch, keeping the auth', () => {
    expect(decide({ statusCode: 411 })).toMatchObject({ action: 'stop', reason: 'multidevice_mismatch', wipeAuth: false });
  });

  it.each([408, 428, 503, 500, undefined, 499])('backs off silently on %p while failures are few', (statusCode) => {
    expect(decide({ statusCode, consecutiveFailures: 1 })).toEqual({
      action: 'reconnect-backoff',
      status: null,
      reason: null,
      wipeAuth: false,
    });
  });

  it('reports disconnected/network after the configured number of failures, and keeps backing off', () => {
    expect(decide({ statusCode: 428, consecutiveFailures: 4 })).toEqual({
      action: 'reconnect-backoff',
      status: 'disconnected',
      reason: 'network',
      wipeAuth: false,
    });
  });

  it('stops after giveUpAfterFailures when configured', () => {
    expect(decide({ statusCode: 428, consecutiveFailures: 9, giveUpAfterFailures: 10 })).toEqual({
      action: 'stop',
      status: 'disconnected',
      reason: 'network',
      wipeAuth: false,
    });
    expect(decide({ statusCode: 428, consecutiveFailures: 8, giveUpAfterFailures: 10 })).toMatchObject({ action: 'reconnect-backoff' });
  });

  it('reports bad_session, without wiping, when 500s keep coming', () => {
    expect(decide({ statusCode: 500, consecutiveFailures: 10 })).toMatchObject({ reason: 'bad_session', wipeAuth: false });
  });

  it('treats 408 while pairing as the end of the QR refs: more attempts left → new socket', () => {
    expect(decide({ statusCode: 408, registered: false, qrAttempts: 3 })).toMatchObject({ action: 'reconnect-now', status: null });
  });

  it('treats 408 while pairing with the attempts used up as qr_expired', () => {
    expect(decide({ statusCode: 408, registered: false, qrAttempts: 6 })).toEqual({
      action: 'stop',
      status: 'disconnected',
      reason: 'qr_expired',
      wipeAuth: false,
    });
  });

  it('treats 408 before any QR (unpaired, no answer) as network trouble', () => {
    expect(decide({ statusCode: 408, registered: false, qrAttempts: 0 })).toMatchObject({ action: 'reconnect-backoff' });
  });
});

describe('backoffDelay', () => {
  it('draws from [0, base * 2^(n-1)) with full jitter', () => {
    expect(backoffDelay(1, { random: () => 0.999 })).toBe(999);
    expect(backoffDelay(3, { random: () => 0.5 })).toBe(2000);
    expect(backoffDelay(1, { random: () => 0 })).toBe(0);
  });

  it('is capped at 60 s by default', () => {
    expect(backoffDelay(50, { random: () => 0.9999 })).toBeLessThan(60_000);
    expect(backoffDelay(50, { random: () => 0.9999 })).toBeGreaterThan(59_000);
  });

  it('honours custom base and cap', () => {
    expect(backoffDelay(10, { baseMs: 10, capMs: 100, random: () => 0.5 })).toBe(50);
  });
});

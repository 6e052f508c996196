import type { InstanceStatus, StatusReason } from './engine-types.js';

/** Baileys' DisconnectReason codes, repeated here so the policy stays a pure function. */
export const CloseCode = {
  connectionClosed: 428,
  connectionLost: 408,
  timedOut: 408,
  connectionReplaced: 440,
  loggedOut: 401,
  badSession: 500,
  restartRequired: 515,
  multideviceMismatch: 411,
  forbidden: 403,
  unavailableService: 503,
} as const;

export type DisconnectAction = 'reconnect-now' | 'reconnect-backoff' | 'stop';

export interface DisconnectDecision {
  action: DisconnectAction;
  /** Status to report, or null to leave the current status as it is (the user must not notice). */
  status: InstanceStatus | null;
  reason: StatusReason | null;
  /** Wipe the auth state (the device is no longer linked). */
  wipeAuth: boolean;
}

export interface DisconnectContext {
  /** Status code from the Boom error of Baileys' close, if any. */
  statusCode: number | undefined;
  /** True when the creds belong to a paired device (creds.me is set). */
  registered: boolean;
  /** QR codes shown in the current cycle, and the cycle's maximum. */
  qrAttempts: number;
  qrMaxAttempts: number;
  /** Consecutive failed reconnects before this close (0 after a successful open). */
  consecutiveFailures: number;
  /** After this many consecutive failures the status becomes `disconnected`/`network`. */
  maxFailuresBeforeDisconnected: number;
  /** After this many consecutive failures, stop retrying altogether (default: never). */
  giveUpAfterFailures?: number;
}

/**
 * Maps a socket close to what the runtime does next. Pure; no I/O.
 *
 * - 515 restart required (after pairing, or asked by the server): new socket at once, same creds.
 * - 401 logged out (unlinked on the phone): wipe auth, `disconnected`/`logged_out`, stop.
 * - 403 forbidden: `banned`, stop (auth kept, for inspection; a logout wipes it).
 * - 440 replaced (another client took the session): `disconnected`/`replaced`, stop, no loop.
 * - 411 multi-device mismatch: the account cannot use linked devices; stop, auth kept.
 * - 408 while pairing: Baileys ran out of QR refs. If our cycle still has attempts, a new
 *   socket asks for more refs; otherwise `disconnected`/`qr_expired`, stop.
 * - 408/428/503/500 and anything else: transient (network, server, a bad stream); reconnect with
 *   exponential backoff. After `maxFailuresBeforeDisconnected` failures the status becomes
 *   `disconnected`/`network` (`bad_session` for 500) and the backoff keeps going at its cap:
 *   a long WhatsApp outage must not need a manual restart of every instance. With
 *   `giveUpAfterFailures` set, the runtime stops instead once that many attempts failed.
 *   500 badSession does not wipe auth: Baileys uses 500 for any unknown stream error too.
 */
export function decideDisconnect(ctx: DisconnectContext): DisconnectDecision {
  const code = ctx.statusCode;
  switch (code) {
    case CloseCode.restartRequired:
      return { action: 'reconnect-now', status: null, reason: null, wipeAuth: false };
    case CloseCode.loggedOut:
      return { action: 'stop', status: 'disconnected', reason: 'logged_out', wipeAuth: true };
    case CloseCode.forbidden:
      return { action: 'stop', status: 'banned', reason: 'banned', wipeAuth: false };
    case CloseCode.connectionReplaced:
      return { action: 'stop', status: 'disconnected', reason: 'replaced', wipeAuth: false };
    case CloseCode.multideviceMismatch:
      return { action: 'stop', status: 'disconnected', reason: 'multidevice_mismatch', wipeAuth: false };
    default:
      break;
  }
  if (!ctx.registered && code === CloseCode.timedOut && ctx.qrAttempts > 0) {
    return ctx.qrAttempts >= ctx.qrMaxAttempts
      ? { action: 'stop', status: 'disconnected', reason: 'qr_expired', wipeAuth: false }
      : { action: 'reconnect-now', status: null, reason: null, wipeAuth: false };
  }
  const failures = ctx.consecutiveFailures + 1;
  const reason = code === CloseCode.badSession ? 'bad_session' : 'network';
  if (ctx.giveUpAfterFailures !== undefined && failures >= ctx.giveUpAfterFailures) {
    return { action: 'stop', status: 'disconnected', reason, wipeAuth: false };
  }
  if (failures >= ctx.maxFailuresBeforeDisconnected) {
    return {
      action: 'reconnect-backoff',
      status: 'disconnected',
      reason,
      wipeAuth: false,
    };
  }
  return { action: 'reconnect-backoff', status: null, reason: null, wipeAuth: false };
}

import type { PairingCodeInfo } from './engine-types.js';
import type { OperationResult, SocketCommand, SocketOperationName } from './socket-operations.js';

/**
 * Commands any node can send to the node that owns an instance: the lifecycle commands below, and one command per
 * socket operation (socket-operations.ts; add operations there, not here).
 */
export type LifecycleCommand =
  | { type: 'start' }
  | { type: 'restart' }
  | { type: 'regenerate-qr' }
  /** A new cycle paired by phone code instead of QR (`phone`: digits with the country code). */
  | { type: 'pairing-code'; phone: string }
  /** Unlink from WhatsApp and wipe auth (API disconnect, and the first half of DELETE). */
  | { type: 'logout' }
  /** Close the socket without logging out and give the instance up (DELETE after logout, tests). */
  | { type: 'stop' };

export type EngineCommand = LifecycleCommand | SocketCommand;

export type EngineCommandType = EngineCommand['type'];

/** What a command resolves to: an operation's result, nothing for the lifecycle commands. */
export type CommandResult<C extends EngineCommand> = C['type'] extends SocketOperationName
  ? OperationResult<C['type']>
  : C['type'] extends 'pairing-code'
    ? PairingCodeInfo
    : void;

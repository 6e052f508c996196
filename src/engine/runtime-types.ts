import type { AuthenticationState, proto, UserFacingSocketConfig, WASocket } from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import type { BackoffOptions } from './backoff.js';
import type { DisconnectDecision } from './disconnect-policy.js';
import type { EngineEvent, StatusChange } from './engine-types.js';
import type { InboundJournal } from './inbound-journal.js';
import type { LockMode } from './operation-lock.js';

/** Where the runtime keeps its auth state (RedisAuthState in production). */
export interface AuthStore {
  load(): Promise<AuthenticationState>;
  saveCreds(): Promise<void>;
  clear(): Promise<void>;
}

export type SocketFactory = (config: UserFacingSocketConfig) => WASocket;

export interface InstanceRuntimeOptions {
  instanceId: string;
  authStore: AuthStore;
  /** Our logger; the runtime makes a child with `instanceId`, and a quieter one for Baileys. */
  logger: Logger;
  /** Defaults to WhatsApp's own (`wss://web.whatsapp.com/ws/chat`). */
  waWebSocketUrl?: string;
  /** How long each QR lives (default 20 s). */
  qrTtlMs?: number;
  /** QR codes per cycle before `disconnected`/`qr_expired` (default 6). */
  qrMaxAttempts?: number;
  backoff?: BackoffOptions;
  /** Consecutive failed reconnects before the status becomes `disconnected`/`network` (default 5). */
  maxFailuresBeforeDisconnected?: number;
  /** Stop reconnecting after this many consecutive failures (default: never; keeps backing off at the cap). */
  giveUpAfterFailures?: number;
  connectTimeoutMs?: number;
  keepAliveIntervalMs?: number;
  /** Allow the initial history sync on pairing (default true; full history is never asked for). */
  syncHistory?: boolean;
  /** Name shown on the phone's linked devices list (default `Zap Engine`). */
  browserName?: string;
  lockMode?: LockMode;
  lockWaitTimeoutMs?: number;
  /** Upper bound for fetching the own profile picture on connect (default 1500 ms). */
  profilePicTimeoutMs?: number;
  /** For message retries: returns a message this instance sent before. */
  getMessage?: (key: proto.IMessageKey) => Promise<proto.IMessage | undefined>;
  /**
   * Where inbound messages wait between WhatsApp's delivery receipt and our store (inbound-journal.ts): written before
   * the receipt, replayed when the runtime opens a fresh socket. Without it a crash in that window loses the message.
   */
  journal?: InboundJournal;
  /** Injectable for tests; defaults to Baileys' makeWASocket. */
  socketFactory?: SocketFactory;
  now?: () => number;
}

export interface SocketCloseInfo {
  statusCode: number | undefined;
  message: string;
  decision: DisconnectDecision;
}

export type InstanceRuntimeEvents = {
  status: [StatusChange];
  event: [EngineEvent];
  /** Every unexpected close of a socket, with what the runtime decided (for metrics and logs). */
  'socket-close': [SocketCloseInfo];
};

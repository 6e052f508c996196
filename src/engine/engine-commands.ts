import type { OutgoingContent, QuotedMessage, ReadKey, SendResult, WhatsAppLookup } from './engine-types.js';

/** Commands any node can send to the node that owns an instance. */
export type EngineCommand =
  | { type: 'start' }
  | { type: 'restart' }
  | { type: 'regenerate-qr' }
  /** Unlink from WhatsApp and wipe auth (API disconnect, and the first half of DELETE). */
  | { type: 'logout' }
  /** Close the socket without logging out and give the instance up (DELETE after logout, tests). */
  | { type: 'stop' }
  | { type: 'send-text'; jid: string; text: string; messageId: string }
  | { type: 'on-whatsapp'; phone: string }
  /** Any message (text or media), quoted and with mentions; `messageId` fixed by the caller. */
  | { type: 'send'; jid: string; content: OutgoingContent; messageId: string; quoted?: QuotedMessage; mentions?: string[] }
  /** Read receipts for these messages. */
  | { type: 'read-messages'; keys: ReadKey[] };

export type EngineCommandType = EngineCommand['type'];

/** What each command resolves to. */
export interface EngineCommandResults {
  start: void;
  restart: void;
  'regenerate-qr': void;
  logout: void;
  stop: void;
  'send-text': SendResult;
  'on-whatsapp': WhatsAppLookup;
  send: SendResult;
  'read-messages': void;
}

export type CommandResult<C extends EngineCommand> = EngineCommandResults[C['type']];
